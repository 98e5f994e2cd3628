package gater

import (
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/slots"
)

// InterceptPeerDial refuses dialling a new peer when outbound peers and
// inbound relay peers fill Budget.DialLimit (see slots.Budget for why that never
// refuses a dial of a relay manager using the same Budget), and dialling a
// peer the gater closed less than a grace period ago: the host's own
// gossipsub would otherwise redial it at once and bring a refused inbound
// peer back as an outbound one.
func (g *Gater) InterceptPeerDial(id peer.ID) bool {
	g.mu.Lock()
	r := g.ledger.CheckDial(peerid.ID(id), time.Now())
	g.mu.Unlock()
	if r != 0 {
		g.log.Debug("gater: dial refused", "peer", id, "reason", r.String())
	}
	return r == 0
}

// InterceptAddrDial allows every address.
func (g *Gater) InterceptAddrDial(peer.ID, ma.Multiaddr) bool { return true }

// InterceptAccept refuses a raw inbound connection from an address prefix
// that already has its cap of inbound peers.
func (g *Gater) InterceptAccept(addrs network.ConnMultiaddrs) bool {
	addr := AddrOf(addrs.RemoteMultiaddr())
	g.mu.Lock()
	r := g.ledger.CheckAccept(addr)
	g.mu.Unlock()
	if r != 0 {
		g.log.Debug("gater: connection refused", "addr", addr, "reason", r.String())
	}
	return r == 0
}

// InterceptSecured refuses an authenticated connection of a new peer that
// the budget has no room for.
func (g *Gater) InterceptSecured(dir network.Direction, id peer.ID, addrs network.ConnMultiaddrs) bool {
	addr := AddrOf(addrs.RemoteMultiaddr())
	g.mu.Lock()
	var r slots.Refusal
	if dir == network.DirInbound {
		r = g.ledger.CheckReconnect(peerid.ID(id), time.Now())
	}
	if r == 0 {
		r = g.ledger.CheckSecured(direction(dir), peerid.ID(id), addr)
	}
	g.mu.Unlock()
	if r != 0 {
		g.log.Debug("gater: connection refused", "peer", id, "addr", addr, "dir", dir, "reason", r.String())
	}
	return r == 0
}

// InterceptUpgraded allows every connection that passed InterceptSecured.
func (g *Gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }

// notifiee keeps the Notifiee methods off the Gater's API.
type notifiee struct{ g *Gater }

func (n *notifiee) Listen(network.Network, ma.Multiaddr)      {}
func (n *notifiee) ListenClose(network.Network, ma.Multiaddr) {}

func (n *notifiee) Connected(_ network.Network, c network.Conn) {
	g := n.g
	dir := direction(c.Stat().Direction)
	addr := AddrOf(c.RemoteMultiaddr())
	g.mu.Lock()
	r := g.ledger.Connected(dir, peerid.ID(c.RemotePeer()), addr, time.Now())
	g.mu.Unlock()
	if r != 0 {
		// Concurrent handshakes overran the budget. Closing from a
		// Connected notification is safe in go-libp2p's swarm.
		g.log.Debug("gater: closing connection over budget", "peer", c.RemotePeer(), "reason", r.String())
		_ = c.Close()
	}
}

func (n *notifiee) Disconnected(_ network.Network, c network.Conn) {
	g := n.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ledger.Disconnected(peerid.ID(c.RemotePeer())) {
		// Free the peer's slots at once, not at lease expiry, and under
		// the lock so that no racing Admit re-leases them.
		g.releasePeer(c.RemotePeer())
	}
}

// direction maps libp2p's direction to the ledger's: only DirInbound is
// inbound.
func direction(d network.Direction) slots.Direction {
	if d == network.DirInbound {
		return slots.Inbound
	}
	return slots.Outbound
}

// AddrOf returns the IP address of a multiaddr (IPv4-mapped IPv6 unmapped),
// or the zero Addr: the address AdmitPeer takes for a connection's
// RemoteMultiaddr.
func AddrOf(m ma.Multiaddr) netip.Addr {
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
