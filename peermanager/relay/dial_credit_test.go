package relay

import (
	"net/netip"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// TestSlowDialStopsCounting: a dial in flight for DialCountsFor stops
// covering its shard's deficit, so the next pass dials another peer
// (RELAY-35); when the slow dial then ends, the pending count goes back to
// zero, not below; DialCreditEndsIn says when the next credit ends.
func TestSlowDialStopsCounting(t *testing.T) {
	for _, tc := range []struct {
		name   string
		credit time.Duration
		second bool // a second dial at 3 s
	}{
		{name: "credit 3 s", credit: 3 * time.Second, second: true},
		{name: "rule off", credit: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := WakupmPreset()
			cfg.ShardFloor, cfg.ShardOutboundFloor, cfg.UnhealthyExtra, cfg.UnhealthyExtraMax = 1, 1, 0, 0
			cfg.OutboundTarget, cfg.OutboundQuota, cfg.OnDemandDiscovery = 1, 1, false
			cfg.DialCountsFor = tc.credit
			core := subscribedCore(t, cfg, 1)
			for i := 1; i <= 2; i++ {
				p := enrPeer(i, shardmesh.ClusterTWN, shardmesh.CapRelay, 1)
				p.IP = netip.AddrFrom4([4]byte{10, 0, 0, byte(i)})
				core.Step(PeerDiscovered{Peer: p}, t0)
			}
			if n := len(core.dials); n != 1 {
				t.Fatalf("%d dials in flight, want 1", n)
			}
			wait, ok := core.DialCreditEndsIn()
			if ok != (tc.credit > 0) || (ok && wait != tc.credit) {
				t.Fatalf("DialCreditEndsIn = %v, %v; want %v", wait, ok, tc.credit)
			}
			core.Step(Tick{}, t0.Add(3*time.Second))
			if got := len(core.dials) == 2; got != tc.second {
				t.Fatalf("at 3 s: %d dials in flight, want a second: %v", len(core.dials), tc.second)
			}
			// Fail every dial until none is left (each failed peer backs
			// off, so at most one more round).
			for round := 0; round < 3 && len(core.dials) > 0; round++ {
				var ids []peerid.ID
				for id := range core.dials {
					ids = append(ids, id)
				}
				for _, id := range ids {
					core.Step(DialFailed{ID: id}, t0.Add(4*time.Second))
				}
			}
			if n := len(core.dials); n != 0 {
				t.Fatalf("%d dials still in flight", n)
			}
			if p := core.pending[1]; p != 0 {
				t.Fatalf("pending dials on shard 1 = %d after every dial ended, want 0", p)
			}
		})
	}
}

// TestDialCreditEndsOffline: a node that goes offline with a dial in
// flight still lets its credit end at the next tick, so DialCreditEndsIn
// stops asking for an immediate tick (the Manager would otherwise tick
// again and again until the dial expires).
func TestDialCreditEndsOffline(t *testing.T) {
	cfg := WakupmPreset()
	cfg.OnDemandDiscovery = false
	core := subscribedCore(t, cfg, 1)
	p := enrPeer(1, shardmesh.ClusterTWN, shardmesh.CapRelay, 1)
	p.IP = netip.AddrFrom4([4]byte{10, 0, 0, 1})
	core.Step(PeerDiscovered{Peer: p}, t0)
	core.Step(OnlineChanged{Online: false}, t0.Add(time.Second))
	core.Step(Tick{}, t0.Add(cfg.DialCountsFor))
	if wait, ok := core.DialCreditEndsIn(); ok {
		t.Fatalf("offline, after the credit: DialCreditEndsIn = %v, true; want none", wait)
	}
}
