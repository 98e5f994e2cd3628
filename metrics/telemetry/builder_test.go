package telemetry

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
)

var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// fakeNode is a node's snapshots, as plain values a test changes.
type fakeNode struct {
	relay  relay.Snapshot
	mesh   []shardmesh.ShardHealth
	gossip metrics.BandwidthSnapshot
	stream metrics.BandwidthSnapshot
	disc   UDPTraffic
	app    []metrics.AppBytes
	slots  slots.Stats
}

func (n *fakeNode) sources() Sources {
	return Sources{
		Relay:     func() relay.Snapshot { return n.relay },
		Mesh:      func() []shardmesh.ShardHealth { return n.mesh },
		Gossip:    func() metrics.BandwidthSnapshot { return n.gossip },
		Streams:   func() metrics.BandwidthSnapshot { return n.stream },
		Discovery: func() UDPTraffic { return n.disc },
		App:       func() []metrics.AppBytes { return n.app },
		Slots:     func() slots.Stats { return n.slots },
	}
}

func sh(i uint16) shardmesh.Shard { return shardmesh.Shard{Cluster: 16, Index: i} }

// newFakeNode has nShards shards with traffic of every message type.
func newFakeNode(nShards int) *fakeNode {
	n := &fakeNode{}
	for i := range nShards {
		s := sh(uint16(i))
		n.relay.Shards = append(n.relay.Shards, relay.ShardSnapshot{Shard: s, Inbound: 2, Outbound: 3,
			Floor: 4, Known: 10 + i, Dials: uint64(5 + i), DialFailures: 1})
		n.mesh = append(n.mesh, shardmesh.ShardHealth{Shard: s, MeshPeers: 5, OutboundMeshPeers: 2,
			Health: shardmesh.SufficientlyHealthy})
		for _, d := range []metrics.Direction{metrics.DirectionOut, metrics.DirectionIn} {
			for _, typ := range metrics.MessageTypes()[:metrics.NumMessageTypes-1] {
				n.gossip.Gossip = append(n.gossip.Gossip, metrics.GossipBytes{Direction: d, Type: typ,
					Shard: s, HasShard: true, Bytes: uint64(100 * (i + 1)), Entries: 1})
			}
		}
	}
	n.relay.ConnectedByOrigin[book.OriginDiscv5] = 7
	n.relay.ConnectedByOrigin[book.OriginInbound] = 2
	n.relay.Stats.DialFailuresByCause[relay.CauseTimeout] = 3
	n.stream.Protocols = []metrics.ProtocolBytes{
		{Protocol: protocols.Relay, Direction: metrics.DirectionOut, Bytes: 6000},
		{Protocol: protocols.Relay, Direction: metrics.DirectionIn, Bytes: 3000},
		{Protocol: protocols.Store, Direction: metrics.DirectionIn, Bytes: 600},
	}
	n.disc = UDPTraffic{BytesIn: 1000, BytesOut: 2000, PacketsIn: 10, PacketsOut: 20}
	n.app = []metrics.AppBytes{{Name: "rpc", BytesIn: 500, BytesOut: 50}}
	n.slots.Pools[slots.Filter] = slots.PoolStats{Service: slots.Filter, Capacity: 10, InUse: 4,
		PoolCounts: slots.PoolCounts{Admitted: 9}}
	return n
}

func decodeItems[T any](t *testing.T, items []Item, typ Type) []T {
	t.Helper()
	var out []T
	for _, it := range items {
		if it.Type == typ {
			var v T
			if err := json.Unmarshal(it.Data, &v); err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			out = append(out, v)
		}
	}
	return out
}

// TestBuilderFiguresMatchSnapshots: the first report carries the snapshots'
// figures (deltas from zero), the second only what changed in between.
func TestBuilderFiguresMatchSnapshots(t *testing.T) {
	n := newFakeNode(2)
	b := NewBuilder(Record{NodeName: "n1", PeerID: HashPeerID("peer")}, n.sources(), t0)
	items, err := b.Build(t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range items {
		if it.ID != i+1 {
			t.Fatalf("item %d has id %d", i, it.ID)
		}
	}
	ps := decodeItems[ProtocolStats](t, items, TypeProtocolStats)
	if len(ps) != 1 || ps[0].Relay.TotalOut != 6000 || ps[0].Relay.RateOut != 100 || ps[0].Store.TotalIn != 600 ||
		ps[0].PeerID != HashPeerID("peer") {
		t.Errorf("protocol stats %+v", ps)
	}
	byShard := decodeItems[PeerCountByShard](t, items, TypePeerCountByShard)
	if len(byShard) != 2 || byShard[1].Shard != 1 || byShard[1].Count != 5 || byShard[1].NodeName != "n1" {
		t.Errorf("by shard %+v", byShard)
	}
	origins := map[Origin]int{}
	for _, o := range decodeItems[PeerCountByOrigin](t, items, TypePeerCountByOrigin) {
		origins[o.Origin] += o.Count
	}
	if origins[OriginDiscv5] != 7 || origins[OriginUnknown] != 2 {
		t.Errorf("by origin %v", origins)
	}
	df := decodeItems[DialFailure](t, items, TypeDialFailure)
	if len(df) != 1 || df[0].ErrorType != DialErrorIOTimeout || df[0].Count != 3 || df[0].ErrorMsg != "timeout" {
		t.Errorf("dial failures %+v", df)
	}
	health := decodeItems[ShardHealth](t, items, TypeShardHealth)
	if len(health) != 1 || len(health[0].Rows) != 2 || health[0].Rows[1] != (ShardRow{Cluster: 16, Shard: 1,
		Health: "sufficiently_healthy", MeshPeers: 5, OutboundMeshPeers: 2, Inbound: 2, Outbound: 3, Floor: 4,
		Known: 11, Dials: 6, DialFailures: 1}) || health[0].Version != SchemaVersion || health[0].IntervalSeconds != 60 {
		t.Errorf("shard health %+v", health)
	}
	gossip := decodeItems[GossipBytes](t, items, TypeGossipBytes)
	var sum uint64
	for _, r := range gossip[0].Rows {
		sum += r.Bytes
	}
	if want := n.gossip.GossipTotal(metrics.DirectionOut) + n.gossip.GossipTotal(metrics.DirectionIn); sum != want {
		t.Errorf("gossip rows sum to %d, want %d", sum, want)
	}

	// Second interval: some traffic, one more failure.
	n.gossip.Gossip[0].Bytes += 42
	n.disc.BytesOut += 77
	n.app[0].BytesIn += 5
	n.relay.Stats.DialFailuresByCause[relay.CauseTimeout]++
	n.relay.Shards[0].Dials += 2
	items, err = b.Build(t0.Add(2 * time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	gossip = decodeItems[GossipBytes](t, items, TypeGossipBytes)
	if len(gossip[0].Rows) != 1 || gossip[0].Rows[0].Bytes != 42 || *gossip[0].Rows[0].Shard != 0 {
		t.Errorf("second gossip %+v", gossip[0].Rows)
	}
	if d := decodeItems[DiscoveryBytes](t, items, TypeDiscoveryBytes); d[0].BytesOut != 77 || d[0].BytesIn != 0 {
		t.Errorf("second discovery %+v", d)
	}
	if a := decodeItems[AppBytes](t, items, TypeAppBytes); len(a[0].Rows) != 1 || a[0].Rows[0] != (AppRow{Name: "rpc", BytesIn: 5}) {
		t.Errorf("second app %+v", a)
	}
	if df := decodeItems[DialFailure](t, items, TypeDialFailure); len(df) != 1 || df[0].Count != 1 {
		t.Errorf("second dial failures %+v", df)
	}
	if h := decodeItems[ShardHealth](t, items, TypeShardHealth); h[0].Rows[0].Dials != 2 || h[0].Rows[1].Dials != 0 {
		t.Errorf("second shard health %+v", h[0].Rows)
	}
}

func TestHashPeerIDHidesTheID(t *testing.T) {
	h := HashPeerID("16Uiu2HAmAUdrQ3uwzuE4Gy4D56hX6uLKEeerJAnhKEHZ3DxF1EfT")
	if len(h) != 32 || h == HashPeerID("other") || HashPeerID("") != "" {
		t.Errorf("hash %q", h)
	}
}

// BenchmarkBuildReport100Shards: one report of a node on 100 shards with
// traffic of every message type on each (1400 gossip rows).
func BenchmarkBuildReport100Shards(b *testing.B) {
	n := newFakeNode(100)
	bld := NewBuilder(Record{NodeName: "bench"}, n.sources(), t0)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Minute)
		for i := range n.gossip.Gossip {
			n.gossip.Gossip[i].Bytes++
		}
		if _, err := bld.Build(now); err != nil {
			b.Fatal(err)
		}
	}
}
