package gater

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/slots"
)

// ErrNotService is returned by Admit for a stream whose protocol has no
// reserved slots (relay, metadata, ...). The caller's handler registration
// is wrong; there is nothing to answer.
var ErrNotService = errors.New("gater: stream protocol is not a service with reserved slots")

// Admit is what a filter, light-push, store or peer-exchange server calls
// when a stream arrives: it renews the remote peer's lease of the stream's
// service, or grants one, and returns it. On refusal it returns a
// *slots.Rejection; the server answers with Rejection.StatusCode (503 or
// 429) and the client should use another server. A peer that gets no lease
// is closed when its grace period ends.
func (g *Gater) Admit(s network.Stream) (slots.Lease, error) {
	svc, ok := slots.ServiceOf(string(s.Protocol()))
	if !ok {
		return slots.Lease{}, fmt.Errorf("%w: %q", ErrNotService, s.Protocol())
	}
	c := s.Conn()
	return g.AdmitPeer(svc, c.RemotePeer(), AddrOf(c.RemoteMultiaddr()), time.Now())
}

// NotConnectedError is AdmitPeer's refusal of a peer that has no
// connection to the gater's host: no disconnect would ever release its
// lease, which would hold a slot for a whole TTL.
type NotConnectedError struct {
	Service slots.Service
	Peer    peer.ID
}

func (e *NotConnectedError) Error() string {
	return fmt.Sprintf("gater: %s refused peer %s: not connected", e.Service, e.Peer)
}

// AdmitPeer is Admit for a server that knows the service, peer and address
// itself. The peer must be connected to the attached host (a
// *NotConnectedError otherwise); a stream's peer always is.
func (g *Gater) AdmitPeer(svc slots.Service, id peer.ID, addr netip.Addr, now time.Time) (slots.Lease, error) {
	if !svc.Valid() {
		return slots.Lease{}, fmt.Errorf("%w: service %d", ErrNotService, svc)
	}
	pid := peerid.ID(id)
	// The ledger's view (connected, relay or not) and the lease change
	// together: a disconnect releases the peer's leases under this lock.
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ledger.Class(pid) == 0 {
		g.log.Debug("gater: admission refused", "service", svc.String(), "peer", id, "addr", addr, "err", "not connected")
		return slots.Lease{}, &NotConnectedError{Service: svc, Peer: id}
	}
	l, err := g.pools[svc].Renew(slots.Client{Peer: pid, Addr: addr, Relay: g.ledger.IsRelay(pid)}, now)
	if err != nil {
		g.log.Debug("gater: admission refused", "service", svc.String(), "peer", id, "addr", addr, "err", err)
		g.ledger.Denied(pid)
		return slots.Lease{}, err
	}
	g.ledger.Leased(pid)
	return l, nil
}

// Release frees a lease at once (a filter UNSUBSCRIBE_ALL, for example).
func (g *Gater) Release(l slots.Lease) bool {
	if !l.Service.Valid() {
		return false
	}
	return g.pools[l.Service].Release(l)
}

// Handler wraps a service's stream handler: serve runs with the stream and
// the lease when the peer is admitted; refuse runs with the Rejection
// otherwise and must answer with rej.StatusCode() in the protocol's own
// response (filter and light push echo the request id, which only the
// protocol can read) and close the stream. Streams of protocols without
// reserved slots are reset.
func (g *Gater) Handler(serve func(network.Stream, slots.Lease), refuse func(network.Stream, *slots.Rejection)) network.StreamHandler {
	return func(s network.Stream) {
		l, err := g.Admit(s)
		var rej *slots.Rejection
		switch {
		case err == nil:
			serve(s, l)
		case errors.As(err, &rej):
			refuse(s, rej)
		default:
			_ = s.Reset()
		}
	}
}
