package service

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wakupm/wakupm/examples/telemetryd/wire"
	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/metrics/telemetry"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
)

var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// forEachStore runs f on a fresh SQLite store and on a fresh PostgreSQL
// database (skipped with the reason when PostgreSQL cannot start).
func forEachStore(t *testing.T, f func(t *testing.T, s *Store)) {
	t.Run("sqlite", func(t *testing.T) { f(t, freshSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, freshPostgres(t)) })
}

func freshSQLite(t *testing.T) *Store {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// simNode is one node of a small synthetic simulation: gossip bytes per
// (type, shard) proportional to fixed weights, so that the true ranking is
// known without asking the store.
type simNode struct {
	mu     sync.Mutex // the reporter reads from its goroutine
	name   string
	gossip metrics.BandwidthSnapshot
	disc   telemetry.UDPTraffic
	app    []metrics.AppBytes
	relay  relay.Snapshot
	mesh   []shardmesh.ShardHealth
}

// locked returns f, reading under n's lock.
func locked[T any](n *simNode, f func() T) func() T {
	return func() T {
		n.mu.Lock()
		defer n.mu.Unlock()
		return f()
	}
}

func (n *simNode) sources() telemetry.Sources {
	return telemetry.Sources{
		Gossip: locked(n, func() metrics.BandwidthSnapshot {
			return metrics.BandwidthSnapshot{Gossip: slices.Clone(n.gossip.Gossip)}
		}),
		Discovery: locked(n, func() telemetry.UDPTraffic { return n.disc }),
		App:       locked(n, func() []metrics.AppBytes { return slices.Clone(n.app) }),
		Relay:     locked(n, func() relay.Snapshot { return n.relay }),
		Mesh:      locked(n, func() []shardmesh.ShardHealth { return slices.Clone(n.mesh) }),
		Streams: locked(n, func() metrics.BandwidthSnapshot {
			return metrics.BandwidthSnapshot{Protocols: []metrics.ProtocolBytes{
				{Protocol: "/vac/waku/relay/2.0.0", Direction: metrics.DirectionIn, Bytes: n.gossip.GossipTotal(metrics.DirectionIn)},
				{Protocol: "/vac/waku/relay/2.0.0", Direction: metrics.DirectionOut, Bytes: n.gossip.GossipTotal(metrics.DirectionOut)},
			}}
		}),
	}
}

// addTraffic adds bytes of type typ on shard (or none when shard < 0) in
// direction d.
func (n *simNode) addTraffic(d metrics.Direction, typ metrics.MessageType, shard int, bytes uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i, g := range n.gossip.Gossip {
		if g.Direction == d && g.Type == typ && g.HasShard == (shard >= 0) && (shard < 0 || int(g.Shard.Index) == shard) {
			n.gossip.Gossip[i].Bytes += bytes
			n.gossip.Gossip[i].Entries++
			return
		}
	}
	g := metrics.GossipBytes{Direction: d, Type: typ, Bytes: bytes, Entries: 1}
	if shard >= 0 {
		g.Shard, g.HasShard = shardmesh.Shard{Cluster: 16, Index: uint16(shard)}, true
	}
	n.gossip.Gossip = append(n.gossip.Gossip, g)
}

func newSimNode(name string, shards ...uint16) *simNode {
	n := &simNode{name: name}
	for _, s := range shards {
		sh := shardmesh.Shard{Cluster: 16, Index: s}
		n.relay.Shards = append(n.relay.Shards, relay.ShardSnapshot{Shard: sh, Inbound: 2, Outbound: 2, Floor: 4, Known: 9, Dials: 3})
		n.mesh = append(n.mesh, shardmesh.ShardHealth{Shard: sh, MeshPeers: 4, Health: shardmesh.SufficientlyHealthy})
	}
	n.relay.ConnectedByOrigin[book.OriginDiscv5] = 4
	n.relay.Stats.DialFailuresByCause[relay.CauseRefused] = 1
	return n
}

// report builds the node's report for the interval ending at now as a
// request body.
func report(t *testing.T, b *telemetry.Builder, now time.Time) []byte {
	t.Helper()
	items, err := b.Build(now)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(items)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func insert(t *testing.T, s *Store, body []byte, now time.Time) {
	t.Helper()
	d, errs := wire.Decode(body, now)
	if errs != nil {
		t.Fatalf("decode: %+v", errs)
	}
	if err := s.Insert(context.Background(), d, now); err != nil {
		t.Fatal(err)
	}
}
