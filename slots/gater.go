package slots

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/host/eventbus"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// Gater enforces a Budget on a libp2p host: it is the host's
// connmgr.ConnectionGater, watches connections as a network notifiee, and
// owns one Pool per service for the host's filter and light-push servers
// (see Admit and Handler).
//
// Inbound peers are counted against RelayInbound plus the reserved slots.
// A new inbound peer is pending until it either takes a lease (it becomes a
// service client) or identify shows a relay protocol (it becomes a relay
// peer, or is closed when RelayInbound is full: relay peers never take
// reserved slots). A peer still pending after the grace period is closed,
// and so is a service client whose last lease ended a grace period ago.
// Relay peers and outbound peers are never closed by the Gater, so service
// clients can never evict them. A new outbound peer is refused once
// outbound peers and inbound relay peers fill Budget.DialLimit. Counts change only when a connection
// completes and when it closes.
//
// An inbound peer that neither runs relay nor holds a lease is closed after
// the grace period, so reserve slots (Budget.Reserved) for every service the
// node serves, store and peer exchange included.
//
// Use: g := NewGater(budget); pass libp2p.ConnectionGater(g) when building
// the host; then g.Attach(host) and run g.Run(ctx) in a goroutine you own.
type Gater struct {
	budget Budget
	cfg    gaterConfig
	log    *slog.Logger
	pools  [NumServices]*Pool

	mu     sync.Mutex
	ledger *Ledger
	host   host.Host
	notif  *gaterNotifiee
}

var (
	_ connmgr.ConnectionGater = (*Gater)(nil)
	_ network.Notifiee        = (*gaterNotifiee)(nil)
)

// NewGater returns a Gater for b with one pool per service, sized by
// b.Reserved.
func NewGater(b Budget, opts ...GaterOption) (*Gater, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	cfg := defaultGaterConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	g := &Gater{budget: b, cfg: cfg, log: cfg.logger}
	for _, s := range Services() {
		p, err := NewPool(s, b.Reserved.Of(s), cfg.poolOptions[s]...)
		if err != nil {
			return nil, fmt.Errorf("%w: %s pool: %w", ErrInvalidGater, s, err)
		}
		g.pools[s] = p
	}
	g.ledger = NewLedger(b, LedgerConfig{
		Grace:         cfg.grace,
		MaxPerPrefix:  cfg.colocation,
		IPv4PrefixLen: cfg.v4Bits,
		IPv6PrefixLen: cfg.v6Bits,
	})
	return g, nil
}

// Budget returns the budget the gater enforces.
func (g *Gater) Budget() Budget { return g.budget }

// Pool returns the slot pool of service s.
func (g *Gater) Pool(s Service) *Pool { return g.pools[s] }

// Attach starts watching h's connections. Call it once, right after
// building h with this gater, before h accepts connections.
func (g *Gater) Attach(h host.Host) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.host != nil {
		return errors.New("slots: gater already attached to a host")
	}
	g.host = h
	g.notif = &gaterNotifiee{g: g}
	h.Network().Notify(g.notif)
	return nil
}

// Close stops watching the host's connections. The gater keeps gating.
func (g *Gater) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.host != nil && g.notif != nil {
		g.host.Network().StopNotify(g.notif)
		g.notif = nil
	}
	return nil
}

// Run expires leases and closes peers whose grace period ended every sweep
// interval, and marks peers as relay peers as soon as identify lists a relay
// protocol, until ctx is done. The caller owns the goroutine that runs it.
func (g *Gater) Run(ctx context.Context) error {
	g.mu.Lock()
	h := g.host
	g.mu.Unlock()
	if h == nil {
		return errors.New("slots: Run before Attach")
	}
	// Subscribing here, not in Attach, so that nobody's events queue up
	// for a consumer that does not run; peers identified before Run are
	// caught by the peerstore check when their grace period ends.
	sub, err := h.EventBus().Subscribe(new(event.EvtPeerIdentificationCompleted), eventbus.Name("wakupm/slots"))
	if err != nil {
		return fmt.Errorf("slots: subscribe to identify events: %w", err)
	}
	defer sub.Close()
	tick := time.NewTicker(g.cfg.sweep)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-sub.Out():
			if !ok {
				return nil
			}
			if ev, ok := e.(event.EvtPeerIdentificationCompleted); ok && g.anyRelay(ev.Protocols) {
				g.MarkRelay(ev.Peer)
			}
		case <-tick.C:
			g.Sweep(time.Now())
		}
	}
}

func (g *Gater) anyRelay(ids []protocol.ID) bool {
	for _, id := range ids {
		for _, r := range g.cfg.relayProtocols {
			if id == r {
				return true
			}
		}
	}
	return false
}

// MarkRelay records that id is a relay peer (Run does it from identify; a
// relay shell may call it too). An inbound peer beyond RelayInbound is
// closed, and any lease it holds is released.
func (g *Gater) MarkRelay(id peer.ID) {
	g.mu.Lock()
	r, released := g.ledger.MarkRelay(id, time.Now())
	if released {
		g.releasePeer(id)
	}
	g.mu.Unlock()
	if r != 0 {
		g.closePeer(id, r)
	}
}

// Sweep expires leases at now and closes the peers whose grace period
// ended. Run calls it every sweep interval.
func (g *Gater) Sweep(now time.Time) {
	for _, p := range g.pools {
		p.Expire(now)
	}
	g.mu.Lock()
	h := g.host
	holds := func(id peer.ID) bool {
		for _, p := range g.pools {
			if p.Holds(id, now) > 0 {
				return true
			}
		}
		return false
	}
	isRelay := func(id peer.ID) bool {
		if h == nil {
			return false
		}
		ids, err := h.Peerstore().SupportsProtocols(id, g.cfg.relayProtocols...)
		return err == nil && len(ids) > 0
	}
	toClose := g.ledger.Sweep(now, holds, isRelay, nil)
	g.mu.Unlock()
	for _, c := range toClose {
		g.closePeer(c.Peer, c.Why)
	}
}

func (g *Gater) closePeer(id peer.ID, why Refusal) {
	g.log.Debug("slots: closing peer", "peer", id, "reason", why.String())
	g.mu.Lock()
	h := g.host
	g.mu.Unlock()
	if h != nil {
		_ = h.Network().ClosePeer(id)
	}
}

// releasePeer frees every lease of id. Lock order: g.mu before a pool's.
func (g *Gater) releasePeer(id peer.ID) {
	for _, p := range g.pools {
		p.ReleasePeer(id)
	}
}

// Stats is a snapshot of a Gater.
type Stats struct {
	Budget Budget
	Pools  [NumServices]PoolStats
	Ledger LedgerStats
}

// Stats returns a snapshot at now (leases that expired by now are freed).
func (g *Gater) Stats(now time.Time) Stats {
	st := Stats{Budget: g.budget}
	for i, p := range g.pools {
		st.Pools[i] = p.Stats(now)
	}
	g.mu.Lock()
	st.Ledger = g.ledger.Stats()
	g.mu.Unlock()
	return st
}

// Class returns the class of a connected peer (0 when not connected).
func (g *Gater) Class(id peer.ID) Class {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ledger.Class(id)
}

// InterceptPeerDial refuses dialling a new peer when outbound peers and
// inbound relay peers fill Budget.DialLimit (see Budget for why that never
// refuses a dial of a relay manager using the same Budget), and dialling a
// peer the gater closed less than a grace period ago: the host's own
// gossipsub would otherwise redial it at once and bring a refused inbound
// peer back as an outbound one.
func (g *Gater) InterceptPeerDial(id peer.ID) bool {
	g.mu.Lock()
	r := g.ledger.CheckDial(id, time.Now())
	g.mu.Unlock()
	if r != 0 {
		g.log.Debug("slots: dial refused", "peer", id, "reason", r.String())
	}
	return r == 0
}

// InterceptAddrDial allows every address.
func (g *Gater) InterceptAddrDial(peer.ID, ma.Multiaddr) bool { return true }

// InterceptAccept refuses a raw inbound connection from an address prefix
// that already has its cap of inbound peers.
func (g *Gater) InterceptAccept(addrs network.ConnMultiaddrs) bool {
	addr := addrOf(addrs.RemoteMultiaddr())
	g.mu.Lock()
	r := g.ledger.CheckAccept(addr)
	g.mu.Unlock()
	if r != 0 {
		g.log.Debug("slots: connection refused", "addr", addr, "reason", r.String())
	}
	return r == 0
}

// InterceptSecured refuses an authenticated connection of a new peer that
// the budget has no room for.
func (g *Gater) InterceptSecured(dir network.Direction, id peer.ID, addrs network.ConnMultiaddrs) bool {
	addr := addrOf(addrs.RemoteMultiaddr())
	g.mu.Lock()
	r := g.ledger.CheckSecured(dir, id, addr)
	g.mu.Unlock()
	if r != 0 {
		g.log.Debug("slots: connection refused", "peer", id, "addr", addr, "dir", dir, "reason", r.String())
	}
	return r == 0
}

// InterceptUpgraded allows every connection that passed InterceptSecured.
func (g *Gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }

// gaterNotifiee keeps the Notifiee methods off the Gater's API.
type gaterNotifiee struct{ g *Gater }

func (n *gaterNotifiee) Listen(network.Network, ma.Multiaddr)      {}
func (n *gaterNotifiee) ListenClose(network.Network, ma.Multiaddr) {}

func (n *gaterNotifiee) Connected(_ network.Network, c network.Conn) {
	g := n.g
	dir := c.Stat().Direction
	addr := addrOf(c.RemoteMultiaddr())
	g.mu.Lock()
	r := g.ledger.Connected(dir, c.RemotePeer(), addr, time.Now())
	g.mu.Unlock()
	if r != 0 {
		// Concurrent handshakes overran the budget. Closing from a
		// Connected notification is safe in go-libp2p's swarm.
		g.log.Debug("slots: closing connection over budget", "peer", c.RemotePeer(), "reason", r.String())
		_ = c.Close()
	}
}

func (n *gaterNotifiee) Disconnected(_ network.Network, c network.Conn) {
	g := n.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ledger.Disconnected(c.RemotePeer()) {
		// Free the peer's slots at once, not at lease expiry, and under
		// the lock so that no racing Admit re-leases them.
		g.releasePeer(c.RemotePeer())
	}
}

// addrOf returns the IP address of a multiaddr, or the zero Addr.
func addrOf(m ma.Multiaddr) netip.Addr {
	if m == nil {
		return netip.Addr{}
	}
	ip, err := manet.ToIP(m)
	if err != nil {
		return netip.Addr{}
	}
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}
