package gater_test

import (
	"context"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/marcopolo/simnet"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// gatedNet starts n hosts at the addresses addr gives: host 0 gated by g
// (attached, and g.Run until the test's cleanup) running gossipsub like a
// full node, hosts 1..relays running it under the Waku relay id, the others
// light clients without gossipsub.
func gatedNet(t *testing.T, g *gater.Gater, n, relays int, addr func(int) *net.UDPAddr) *simhost.Network {
	t.Helper()
	nw := simhost.NewT(t, n,
		simhost.WithAddresses(addr),
		simhost.WithHostOptions(func(i int) []libp2p.Option {
			if i == 0 {
				return []libp2p.Option{libp2p.ConnectionGater(g)}
			}
			return nil
		}),
		simhost.WithPubsubOnly(func(i int) bool { return i <= relays }),
		simhost.WithPubsubOptions(func(i int) []pubsub.Option {
			if i >= 1 && i <= relays {
				return []pubsub.Option{wakugossip.RelayProtocol()}
			}
			return nil
		}),
	)
	if err := g.Attach(nw.Node(0).Host); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	// Registered after NewT's cleanup, so it runs first: the gater stops
	// before the hosts close.
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gater run: %v", err)
		}
	})
	return nw
}

// gaterNet starts a server (host 0) gated by g that answers filter
// subscriptions with 200 or the rejection's status, relay peers
// 1..relays and clients after them, each in its own /24.
func gaterNet(t *testing.T, g *gater.Gater, relays, clients int) *simhost.Network {
	t.Helper()
	nw := gatedNet(t, g, 1+relays+clients, relays, func(i int) *net.UDPAddr {
		return &net.UDPAddr{IP: simnet.IntToPublicIPv4(i << 8), Port: simhost.DefaultPort}
	})
	nw.Node(0).Host.SetStreamHandler(protocols.FilterSubscribe, g.Handler(
		func(s network.Stream, _ slots.Lease) { writeStatus(s, 200) },
		func(s network.Stream, rej *slots.Rejection) { writeStatus(s, rej.StatusCode()) },
	))
	return nw
}

// TestGaterConnectionLifecycle follows connections of each kind through the
// gater on real hosts, in virtual time.
func TestGaterConnectionLifecycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newLifecycleRig(t)
		r.checkRelayInboundLimit()
		r.checkDisconnectFreesSlot()
		r.checkPendingClientClosedAfterGrace()
		r.checkIdleSubscriberClosed()
		st := r.g.Stats(time.Now())
		// Client 4 never took a slot; client 5's lease expired: idle.
		if st.Ledger.Refused[slots.RefuseRelayFull] < 1 || st.Ledger.Refused[slots.RefuseGraceExpired] != 1 ||
			st.Ledger.Refused[slots.RefuseIdle] != 1 ||
			st.Pools[slots.Filter].Expired != 1 || st.Pools[slots.Filter].Released != 1 {
			t.Fatalf("stats: ledger %+v filter %+v", st.Ledger, st.Pools[slots.Filter])
		}
	})
}

// The gater's timers in TestGaterConnectionLifecycle.
const (
	lifecycleGrace = 5 * time.Second
	lifecycleTTL   = 30 * time.Second
)

// lifecycleRig is the network of TestGaterConnectionLifecycle: a gated
// server (host 0), relay peers 1-2, clients 3-5.
type lifecycleRig struct {
	t      *testing.T
	g      *gater.Gater
	nw     *simhost.Network
	server *simhost.Node
	filter *slots.Pool
}

func newLifecycleRig(t *testing.T) *lifecycleRig {
	// Inbound: 1 relay peer + 3 reserved slots.
	budget := slots.Budget{MaxConnections: 14, RelayInbound: 1, RelayOutbound: 7,
		Reserved: slots.Reserved{Filter: 2, LightPush: 1}}
	// This rig checks the grace close itself: no peer waits past its grace
	// period (waiting light clients, SLOT-11, are tested in service/filter).
	g, err := gater.New(budget, gater.WithGrace(lifecycleGrace), gater.WithWaiting(0, 0),
		gater.WithPoolOptions(slots.Filter, slots.WithTTL(lifecycleTTL)))
	if err != nil {
		t.Fatal(err)
	}
	nw := gaterNet(t, g, 2, 3)
	return &lifecycleRig{t: t, g: g, nw: nw, server: nw.Node(0), filter: g.Pool(slots.Filter)}
}

func (r *lifecycleRig) connected(i int) bool {
	return r.server.Host.Network().Connectedness(r.nw.Node(i).ID()) == network.Connected
}

// checkRelayInboundLimit: a relay peer within RelayInbound stays; the next
// one would sit in a reserved slot and is closed.
func (r *lifecycleRig) checkRelayInboundLimit() {
	t, g, nw, ctx := r.t, r.g, r.nw, r.t.Context()
	if err := nw.Connect(ctx, 1, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if c := g.Class(nw.Node(1).ID()); c != slots.ClassRelay {
		t.Fatalf("first relay peer classed %s", c)
	}
	// Its gossipsub may dial us again: it is refused again, and ours
	// may not redial it (it would come back as an outbound peer).
	_ = nw.Connect(ctx, 2, 0)
	time.Sleep(time.Second)
	if c := g.Class(nw.Node(2).ID()); c == slots.ClassRelay || c == slots.ClassOutbound {
		t.Fatalf("relay peer beyond RelayInbound kept as %s", c)
	}
	if st := g.Stats(time.Now()); st.Ledger.Peers[slots.ClassRelay] != 1 || st.Ledger.Refused[slots.RefuseRelayFull] < 1 {
		t.Fatalf("after a relay peer beyond RelayInbound: %+v", st.Ledger)
	}
}

// checkDisconnectFreesSlot: a client that takes a slot and disconnects
// frees it at once.
func (r *lifecycleRig) checkDisconnectFreesSlot() {
	t, nw, server := r.t, r.nw, r.server
	if code, err := subscribe(t.Context(), nw.Node(3), server.AddrInfo()); err != nil || code != 200 {
		t.Fatalf("client 3: %d %v", code, err)
	}
	if n := r.filter.Stats(time.Now()).InUse; n != 1 {
		t.Fatalf("in use %d after subscribe", n)
	}
	if err := nw.Node(3).Host.Network().ClosePeer(server.ID()); err != nil {
		t.Fatal(err)
	}
	// The close reaches the server after one link latency; the TTL is
	// 30 s, so only the disconnect can free the slot this soon.
	time.Sleep(100 * time.Millisecond)
	if server.Host.Network().Connectedness(nw.Node(3).ID()) == network.Connected {
		t.Fatal("server still connected to the closed client")
	}
	if n := r.filter.Stats(time.Now()).InUse; n != 0 {
		t.Fatalf("slot not freed on disconnect: %d in use", n)
	}
}

// checkPendingClientClosedAfterGrace: a client that never opens a service
// stream is closed when its grace period ends, not before.
func (r *lifecycleRig) checkPendingClientClosedAfterGrace() {
	t := r.t
	if err := r.nw.Connect(t.Context(), 4, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(lifecycleGrace - 500*time.Millisecond)
	if !r.connected(4) {
		t.Fatal("pending client closed before its grace period ended")
	}
	time.Sleep(2 * time.Second) // grace end + one sweep interval
	if r.connected(4) {
		t.Fatal("pending client still connected after its grace period")
	}
}

// checkIdleSubscriberClosed: a subscriber that stops pinging loses its slot
// after the TTL and its connection a grace period later; the relay peer
// stays.
func (r *lifecycleRig) checkIdleSubscriberClosed() {
	t := r.t
	if code, err := subscribe(t.Context(), r.nw.Node(5), r.server.AddrInfo()); err != nil || code != 200 {
		t.Fatalf("client 5: %d %v", code, err)
	}
	time.Sleep(lifecycleTTL + time.Second)
	if !r.connected(5) || r.filter.Stats(time.Now()).InUse != 0 {
		t.Fatalf("after TTL: connected %v, in use %d", r.connected(5), r.filter.Stats(time.Now()).InUse)
	}
	time.Sleep(lifecycleGrace + time.Second)
	if r.connected(5) {
		t.Fatal("idle subscriber still connected a grace period after its lease expired")
	}
	if !r.connected(1) {
		t.Fatal("relay peer lost its connection")
	}
}
