package gater

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/slots"
)

// fakeConn is the part of a libp2p connection the gater reads: who, from
// where, which direction. The embedded interface is nil: any other method
// panics, so the test shows what the gater uses.
type fakeConn struct {
	network.Conn
	id   peer.ID
	addr ma.Multiaddr
	dir  network.Direction
}

func (c *fakeConn) RemotePeer() peer.ID           { return c.id }
func (c *fakeConn) RemoteMultiaddr() ma.Multiaddr { return c.addr }
func (c *fakeConn) LocalMultiaddr() ma.Multiaddr {
	return ma.StringCast("/ip4/127.0.0.1/udp/1/quic-v1")
}
func (c *fakeConn) Stat() network.ConnStats {
	return network.ConnStats{Stats: network.Stats{Direction: c.dir}}
}
func (c *fakeConn) Close() error { return nil }

// inbound plays an inbound connection of id from addr through the gater as
// a libp2p swarm does: accept, secured handshake, connected. It reports
// whether the connection was kept.
func inbound(g *Gater, id peer.ID, addr netip.Addr) bool {
	proto := "ip4"
	if addr.Is6() {
		proto = "ip6"
	}
	c := &fakeConn{id: id, addr: ma.StringCast(fmt.Sprintf("/%s/%s/udp/4001/quic-v1", proto, addr)), dir: network.DirInbound}
	if !g.InterceptAccept(c) || !g.InterceptSecured(network.DirInbound, id, c) {
		return false
	}
	(&notifiee{g: g}).Connected(nil, c)
	return g.Class(id) == slots.ClassPending
}

func disconnect(g *Gater, id peer.ID) {
	(&notifiee{g: g}).Disconnected(nil, &fakeConn{id: id, dir: network.DirInbound})
}

func newDefaultGater(t *testing.T) *Gater {
	t.Helper()
	budget, err := slots.NewBudget(50) // 40 inbound: relay 20, reserved 20
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(budget)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestDefaultColocationCountsIPv6PerSubnet: 100 pending peers, each on its
// own address of one /64, no longer take every inbound slot (with a cap
// per full IPv6 address all 40 were admitted and the newcomer below got
// inbound_full), and a newcomer from elsewhere is admitted.
func TestDefaultColocationCountsIPv6PerSubnet(t *testing.T) {
	g := newDefaultGater(t)
	subnet := netip.MustParsePrefix("2001:db8:1:2::/64")
	admitted := 0
	for i := range 100 {
		addr := subnet.Addr().As16()
		addr[14], addr[15] = byte(i>>8), byte(i+1)
		if inbound(g, peer.ID(fmt.Sprintf("sybil-%d", i)), netip.AddrFrom16(addr)) {
			admitted++
		}
	}
	if admitted != DefaultColocationLimit {
		t.Errorf("%d peers of one /64 admitted, want %d", admitted, DefaultColocationLimit)
	}
	if !inbound(g, "newcomer", netip.MustParseAddr("2001:db8:99::1")) {
		t.Fatalf("a newcomer from another /48 refused: %v", g.Stats(time.Now()).Ledger.Refused)
	}
}

// TestDefaultColocationCapsIPv6Site: peers spread over many /64s of one
// /48 take at most DefaultIPv6SiteLimit inbound slots.
func TestDefaultColocationCapsIPv6Site(t *testing.T) {
	g := newDefaultGater(t)
	admitted := 0
	for i := range 100 {
		addr := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 7, 6: byte(i >> 8), 7: byte(i), 15: 1})
		if inbound(g, peer.ID(fmt.Sprintf("site-%d", i)), addr) {
			admitted++
		}
	}
	if admitted != DefaultIPv6SiteLimit {
		t.Errorf("%d peers of one /48 admitted, want %d", admitted, DefaultIPv6SiteLimit)
	}
	// IPv4 still counts per address.
	for i := range DefaultColocationLimit + 1 {
		ok := inbound(g, peer.ID(fmt.Sprintf("v4-%d", i)), netip.MustParseAddr("198.51.100.7"))
		if want := i < DefaultColocationLimit; ok != want {
			t.Errorf("IPv4 peer %d on one address admitted %v, want %v", i, ok, want)
		}
	}
	if !inbound(g, "v4-other", netip.MustParseAddr("198.51.100.8")) {
		t.Error("the next IPv4 address of the /24 refused")
	}
}

// TestAdmitPeerRefusesPeersNotConnected: a lease for a peer that has no
// connection would hold its slot for a whole TTL (no disconnect would
// release it); before, 10 such leases filled a 10-slot pool.
func TestAdmitPeerRefusesPeersNotConnected(t *testing.T) {
	g := newDefaultGater(t)
	now := time.Now()
	addr := netip.MustParseAddr("192.0.2.1")
	for i := range g.Pool(slots.Filter).Capacity() {
		_, err := g.AdmitPeer(slots.Filter, peer.ID(fmt.Sprintf("ghost-%d", i)), addr, now)
		var nc *NotConnectedError
		if !errors.As(err, &nc) || nc.Service != slots.Filter {
			t.Fatalf("ghost %d: err = %v, want *NotConnectedError", i, err)
		}
	}
	if n := g.Pool(slots.Filter).Stats(now).InUse; n != 0 {
		t.Fatalf("%d filter slots leased to peers that are not connected", n)
	}
	// A connected peer is admitted; once it is gone, it is refused again.
	if !inbound(g, "client", addr) {
		t.Fatal("client connection refused")
	}
	if _, err := g.AdmitPeer(slots.Filter, "client", addr, now); err != nil {
		t.Fatalf("connected client: %v", err)
	}
	disconnect(g, "client")
	if n := g.Pool(slots.Filter).Stats(now).InUse; n != 0 {
		t.Fatalf("lease kept after the disconnect: %d in use", n)
	}
	var nc *NotConnectedError
	if _, err := g.AdmitPeer(slots.Filter, "client", addr, now); !errors.As(err, &nc) {
		t.Fatalf("client after its disconnect: err = %v, want *NotConnectedError", err)
	}
}
