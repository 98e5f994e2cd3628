package relay

import (
	"net/netip"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// distrustRig: a core on shards 1 and 2, floor 1, one dial at a time, that
// knows broad peers 1-10 (every shard 0-15) and specific peers 11-13
// (shard 1, shard 2, shards 1 and 3). Broad peer 1 is dialled first (coverage) and
// connects; the test then says what it announces.
func distrustRig(t *testing.T, distrust time.Duration) *Core {
	t.Helper()
	cfg := WakupmPreset()
	cfg.ShardFloor, cfg.ShardOutboundFloor, cfg.UnhealthyExtra, cfg.UnhealthyExtraMax = 1, 0, 0, 0
	cfg.OutboundTarget, cfg.OutboundQuota, cfg.MaxDialsInFlight = 1, 1, 1
	cfg.OnDemandDiscovery, cfg.DistrustBroadClaims = false, distrust
	core := subscribedCore(t, cfg, 1, 2)
	every := make([]uint16, 16)
	for i := range every {
		every[i] = uint16(i)
	}
	discover := func(i int, idx ...uint16) []Action {
		p := enrPeer(i, shardmesh.ClusterTWN, shardmesh.CapRelay, idx...)
		p.IP = netip.AddrFrom4([4]byte{10, 0, 0, byte(i)})
		return core.Step(PeerDiscovered{Peer: p}, t0)
	}
	if got := dialled(discover(1, every...)); len(got) != 1 || got[0] != pid(1) {
		t.Fatalf("first broad peer: dialled %v, want peer 1", got)
	}
	for i := 2; i <= 10; i++ {
		discover(i, every...)
	}
	discover(11, 1)
	discover(12, 2)
	discover(13, 1, 3)
	core.Step(PeerConnected{ID: pid(1), Direction: book.Outbound, IP: netip.AddrFrom4([4]byte{10, 0, 0, 1})}, t0)
	core.Step(PeerIdentified{ID: pid(1), Protocols: []string{protocols.Relay}}, t0)
	core.Step(MetadataReceived{ID: pid(1), Cluster: cfg.Cluster, Shards: shards(every...)}, t0)
	return core
}

// TestDistrustBroadClaims: once peer 1, advertising every shard, announces
// none of ours, the specific peers are dialled before the other broad
// ones (RELAY-33); with the rule off, or when peer 1 announces one of ours,
// coverage picks a broad peer; the distrust ends after its duration.
func TestDistrustBroadClaims(t *testing.T) {
	at := t0.Add(time.Second) // past GossipsubTopicsCountAfter, within the grace
	for _, tc := range []struct {
		name      string
		distrust  time.Duration
		announced shardmesh.ShardSet
		broad     bool // the next dial goes to a broad peer
	}{
		{name: "silent broad peer", distrust: 10 * time.Minute, broad: false},
		// Broad peers cover both short shards, specific ones one.
		{name: "rule off", distrust: 0, broad: true},
		// Only shard 2 is short: every candidate covers it once, and
		// specificity must not decide (no misreport).
		{name: "peer 1 confirms shard 1", distrust: 10 * time.Minute, announced: shards(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			core := distrustRig(t, tc.distrust)
			acts := core.Step(TopicsAnnounced{ID: pid(1), Shards: tc.announced}, at)
			got := dialled(acts)
			if tc.announced.Len() > 0 {
				// Shard 2 is still short.
				if len(got) != 1 {
					t.Fatalf("dialled %v, want one dial for shard 2", got)
				}
			} else if len(got) != 1 {
				t.Fatalf("dialled %v, want one replacement dial", got)
			}
			if broad := got[0] <= pid(10); tc.announced.Empty() && broad != tc.broad {
				t.Fatalf("dialled %v: broad %v, want %v", got[0], broad, tc.broad)
			}
			if n, want := core.Stats().Misreports, tc.distrust > 0 && tc.announced.Empty(); (n > 0) != want || core.distrusting(at) != want {
				t.Fatalf("Misreports = %d, distrusting %v, want %v", n, core.distrusting(at), want)
			}
		})
	}
}

// TestDistrustBroadClaimsEnds: the ranking by specificity lasts
// DistrustBroadClaims after the last misreport; later, coverage decides
// again.
func TestDistrustBroadClaimsEnds(t *testing.T) {
	core := distrustRig(t, time.Minute)
	at := t0.Add(time.Second)
	got := dialled(core.Step(TopicsAnnounced{ID: pid(1), Shards: shardmesh.ShardSet{}}, at))
	if len(got) != 1 || got[0] <= pid(10) {
		t.Fatalf("during the distrust: dialled %v, want a specific peer", got)
	}
	// The dial fails; a minute later the next one is by coverage again.
	core.Step(DialFailed{ID: got[0]}, at)
	got = dialled(core.Step(Tick{}, at.Add(time.Minute)))
	if len(got) != 1 || got[0] > pid(10) {
		t.Fatalf("after the distrust: dialled %v, want a broad peer", got)
	}
}
