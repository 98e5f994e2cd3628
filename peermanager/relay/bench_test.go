package relay

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// benchCore returns a core subscribed to shards 0..99 with a book of 10,000
// known relay peers on 1-4 shards of 0..199, and 50 outbound peers on 8
// consecutive subscribed shards each, so that every shard holds 4 (its
// floor) when connected is true.
func benchCore(b *testing.B, connected bool) *Core {
	b.Helper()
	cfg := WakupmPreset()
	cfg.InboundTarget, cfg.OutboundTarget, cfg.OutboundQuota = 40, 20, 20
	cfg.DialOnEvents, cfg.DialOnSubscribe = false, false
	core, err := NewCore(cfg, book.WithCapacity(20_000))
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range 10_000 {
		var set shardmesh.ShardSet
		for range 1 + rng.IntN(4) {
			set.Add(uint16(rng.IntN(200)))
		}
		core.Step(PeerDiscovered{Peer: book.DiscoveredPeer{ID: pid(i), Origin: book.OriginDiscv5, HasENR: true,
			Cluster: cfg.Cluster, HasShards: true, Shards: set, Caps: shardmesh.CapRelay,
			IP: netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})}}, t0)
	}
	for s := range uint16(100) {
		core.Step(Subscribed{Shard: twn(s)}, t0)
	}
	if connected {
		for j := range 50 {
			id := pid(100_000 + j)
			var set shardmesh.ShardSet
			for k := range 8 {
				set.Add(uint16((j*2 + k) % 100))
			}
			core.Step(PeerConnected{ID: id, Direction: book.Outbound, IP: netip.AddrFrom4([4]byte{11, 0, 0, byte(j)})}, t0)
			core.Step(PeerIdentified{ID: id, Protocols: []string{protocols.Relay}}, t0)
			core.Step(MetadataReceived{ID: id, Cluster: cfg.Cluster, Shards: set}, t0)
		}
	}
	return core
}

// BenchmarkCoreTickSteady: a tick with 10k known peers, 100 subscribed
// shards all at their floor (no dial, no prune; floor protection checked).
func BenchmarkCoreTickSteady(b *testing.B) {
	core := benchCore(b, true)
	now := t0.Add(time.Minute)
	core.Step(Tick{}, now)
	if n := core.DialsInFlight(); n != 0 {
		b.Fatalf("steady state dials %d peers", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(5 * time.Second)
		core.Step(Tick{}, now)
	}
}

// BenchmarkCoreTickDeficit: a tick with 10k known peers and 100 subscribed
// shards all under their floor: sampling candidates, greedy choice of 8
// dials by coverage, discovery bookkeeping; then the 8 dials fail (their
// backoff is cleared so that every iteration sees the same book).
func BenchmarkCoreTickDeficit(b *testing.B) {
	core := benchCore(b, false)
	now := t0.Add(time.Minute)
	var dialed []Action
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(5 * time.Second)
		dialed = append(dialed[:0], core.Step(Tick{}, now)...)
		if len(dialed) == 0 {
			b.Fatal("no dial under deficit")
		}
		for _, a := range dialed {
			if a.Kind == ActDial {
				core.Step(DialFailed{ID: a.Peer}, now)
				core.book.ResetBackoff(a.Peer)
			}
		}
	}
}

// BenchmarkPruneSearchExhausted: the exact prune search's worst case, built
// to defeat its bounds. 100 subscribed shards, floor 2: shards 0..49 hold 3
// peers on that shard alone, shards 50..99 hold, per pair, 3 peers on both
// shards of the pair (225 inbound peers). Inbound target 125: 100 must go,
// 75 can (one per single shard, one per pair), but the slack bound only
// says "at most 100", so the search runs its whole budget
// (pruneSearchBudget nodes) before the greedy plan stands. The search runs
// only on ticks where the greedy plan falls short of the targets.
func BenchmarkPruneSearchExhausted(b *testing.B) {
	core, start := pruneSearchCore(b, 125, func(i int) []uint16 {
		if i < 150 {
			return []uint16{uint16(i % 50)}
		}
		pair := uint16(50 + 2*((i-150)%25))
		return []uint16{pair, pair + 1}
	}, 225)
	runImpossiblePruneSearch(b, core, start)
	if core.searchNodes <= pruneSearchBudget {
		b.Fatalf("search stopped after %d nodes, before its budget", core.searchNodes)
	}
}

// BenchmarkPruneSearchBounded: an impossible prune that the slack bound
// settles at once. 300 inbound peers, 3 on each of 100 subscribed shards
// (one shard each), floor 2, inbound target 100: 200 must go, 100 can.
func BenchmarkPruneSearchBounded(b *testing.B) {
	core, start := pruneSearchCore(b, 100, func(i int) []uint16 { return []uint16{uint16(i % 100)} }, 300)
	runImpossiblePruneSearch(b, core, start)
	if core.searchNodes > 1 {
		b.Fatalf("search took %d nodes, want the bound to settle it", core.searchNodes)
	}
}

// runImpossiblePruneSearch runs the prune search from start's needs once
// per iteration; it must find nothing.
func runImpossiblePruneSearch(b *testing.B, core *Core, start pruneNeeds) {
	now := t0.Add(time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		start.slack = core.loadShardCounts()
		core.need = start
		if core.pruneSearch(now) {
			b.Fatal("found an impossible prune")
		}
	}
}

// pruneSearchCore returns a core subscribed to shards 0..99 (floor 2) with
// n inbound relay peers, peer i on shardsOf(i), an inbound target of
// inTarget, and the prune needs that follow.
func pruneSearchCore(b *testing.B, inTarget int, shardsOf func(int) []uint16, n int) (*Core, pruneNeeds) {
	b.Helper()
	cfg := WakupmPreset()
	cfg.ShardFloor, cfg.ShardOutboundFloor, cfg.UnhealthyExtra = 2, 0, 0
	cfg.InboundTarget, cfg.OutboundTarget, cfg.OutboundQuota = inTarget, 0, 0
	cfg.PruneGrace = 0
	cfg.DialOnEvents, cfg.DialOnSubscribe = false, false
	core, err := NewCore(cfg)
	if err != nil {
		b.Fatal(err)
	}
	for s := range uint16(100) {
		core.Step(Subscribed{Shard: twn(s)}, t0)
	}
	for i := range n {
		id := pid(i)
		set, _ := shardmesh.ShardSetOf(shardsOf(i)...)
		core.Step(PeerConnected{ID: id, Direction: book.Inbound, IP: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})}, t0)
		core.Step(PeerIdentified{ID: id, Protocols: []string{protocols.Relay}}, t0)
		core.Step(MetadataReceived{ID: id, Cluster: cfg.Cluster, Shards: set}, t0)
	}
	return core, pruneNeeds{in: n - inTarget, total: n - inTarget}
}
