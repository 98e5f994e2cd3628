package peermanager

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/protocol"

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
	core, err := NewCore(cfg, WithCapacity(20_000))
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range 10_000 {
		var set shardmesh.ShardSet
		for range 1 + rng.IntN(4) {
			set.Add(uint16(rng.IntN(200)))
		}
		core.Step(t0, PeerDiscovered{Peer: DiscoveredPeer{ID: pid(i), Origin: OriginDiscv5, HasENR: true,
			Cluster: cfg.Cluster, HasShards: true, Shards: set, Caps: shardmesh.CapRelay,
			IP: netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})}})
	}
	for s := range uint16(100) {
		core.Step(t0, Subscribed{Shard: s})
	}
	if connected {
		for j := range 50 {
			id := pid(100_000 + j)
			var set shardmesh.ShardSet
			for k := range 8 {
				set.Add(uint16((j*2 + k) % 100))
			}
			core.Step(t0, PeerConnected{ID: id, Direction: Outbound, IP: netip.AddrFrom4([4]byte{11, 0, 0, byte(j)})})
			core.Step(t0, PeerIdentified{ID: id, Protocols: []protocol.ID{ProtocolRelay}})
			core.Step(t0, MetadataReceived{ID: id, Cluster: cfg.Cluster, Shards: set})
		}
	}
	return core
}

// BenchmarkCoreTickSteady: a tick with 10k known peers, 100 subscribed
// shards all at their floor (no dial, no prune; floor protection checked).
func BenchmarkCoreTickSteady(b *testing.B) {
	core := benchCore(b, true)
	now := t0.Add(time.Minute)
	core.Step(now, Tick{})
	if n := core.DialsInFlight(); n != 0 {
		b.Fatalf("steady state dials %d peers", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(5 * time.Second)
		core.Step(now, Tick{})
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
		dialed = append(dialed[:0], core.Step(now, Tick{})...)
		if len(dialed) == 0 {
			b.Fatal("no dial under deficit")
		}
		for _, a := range dialed {
			if a.Kind == ActDial {
				core.Step(now, DialFailed{ID: a.Peer})
				core.book.ResetBackoff(a.Peer)
			}
		}
	}
}
