package service

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/wakupm/wakupm/examples/telemetryd/wire"
	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/metrics/telemetry"
)

// expected adds up what a simulation sent, independently of the store.
type expected map[Dimension]map[string]*Consumer

func (e expected) add(dim Dimension, key string, in, out uint64) {
	if e[dim] == nil {
		e[dim] = map[string]*Consumer{}
	}
	c := e[dim][key]
	if c == nil {
		c = &Consumer{Key: key}
		e[dim][key] = c
	}
	c.BytesIn += int64(in)
	c.BytesOut += int64(out)
	c.Bytes += int64(in + out)
}

func (e expected) ranked(dim Dimension) []Consumer {
	var out []Consumer
	for _, c := range e[dim] {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Consumer) int { return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Key, b.Key)) })
	return out
}

// TestTopRanksASimulationsConsumers: 6 nodes on 4 shards exchange chat
// (data) and control traffic of random sizes for 3 report intervals; the
// store's ranking by message type, shard, protocol and node is exactly the
// one computed from what the nodes counted.
func TestTopRanksASimulationsConsumers(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		rng := rand.New(rand.NewPCG(1, 2))
		want := expected{}
		var nodes []*simNode
		var builders []*telemetry.Builder
		for i := range 6 {
			n := newSimNode(fmt.Sprint("node", i), uint16(i%4), uint16((i+1)%4))
			peer := fmt.Sprint("peer-", i)
			nodes = append(nodes, n)
			builders = append(builders, telemetry.NewBuilder(telemetry.Record{NodeName: n.name,
				PeerID: telemetry.HashPeerID(peer)}, n.sources(), t0))
		}
		types := []metrics.MessageType{metrics.TypeData, metrics.TypeIHave, metrics.TypeGraft, metrics.TypeSubscription}
		for round := 1; round <= 3; round++ {
			now := t0.Add(time.Duration(round) * time.Minute)
			for i, n := range nodes {
				node := telemetry.HashPeerID(fmt.Sprint("peer-", i))
				for _, d := range []metrics.Direction{metrics.DirectionIn, metrics.DirectionOut} {
					for _, typ := range types {
						shard := int(n.relay.Shards[rng.IntN(2)].Shard.Index)
						scale := 5000
						if typ == metrics.TypeData {
							scale *= 4 // chat outweighs control, as on a real network
						}
						b := uint64(1 + rng.IntN(scale))
						n.addTraffic(d, typ, shard, b)
						in, out := b*uint64(d), b*uint64(1-d) // DirectionIn is 1
						want.add(ByMessageType, typ.String(), in, out)
						want.add(ByShard, fmt.Sprint("16/", shard), in, out)
						want.add(ByNode, node, in, out)
						want.add(ByProtocol, "/vac/waku/relay/2.0.0", in, out)
					}
					n.addTraffic(d, metrics.TypeOverhead, -1, 7)
					in, out := 7*uint64(d), 7*uint64(1-d)
					want.add(ByMessageType, "overhead", in, out)
					want.add(ByNode, node, in, out)
					want.add(ByProtocol, "/vac/waku/relay/2.0.0", in, out)
				}
				disc := uint64(100 + rng.IntN(900))
				n.disc.BytesIn += disc
				n.disc.BytesOut += 2 * disc
				want.add(ByProtocol, "discv5", disc, 2*disc)
				want.add(ByNode, node, disc, 2*disc)
				if i%2 == 0 {
					n.app = []metrics.AppBytes{{Name: "rpc", BytesIn: uint64(round * 1000 * (i + 1)), BytesOut: uint64(round * 10)}}
					want.add(ByProtocol, "app:rpc", uint64(1000*(i+1)), 10)
					want.add(ByNode, node, uint64(1000*(i+1)), 10)
				}
				insert(t, s, report(t, builders[i], now), now)
			}
		}
		for _, dim := range Dimensions() {
			got, err := s.Top(context.Background(), dim, t0, t0.Add(time.Hour), 100)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if dim == ByNode && got[i].Name == "" {
					t.Errorf("node %s without its name", got[i].Key)
				}
				got[i].Name = ""
			}
			if w := want.ranked(dim); !slices.Equal(got, w) {
				t.Errorf("top by %s:\n got %+v\nwant %+v", dim, got, w)
			}
		}
		// The window: only the first round.
		got, err := s.Top(context.Background(), ByNode, t0, t0.Add(90*time.Second), 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Bytes >= want.ranked(ByNode)[0].Bytes {
			t.Errorf("window of one round, limit 2: %+v", got)
		}
	})
}

// TestStoreInsertIsAllOrNothing: a request whose last row fails to store
// leaves nothing behind.
func TestStoreInsertIsAllOrNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		n := newSimNode("n", 1)
		n.addTraffic(metrics.DirectionOut, metrics.TypeData, 1, 1000)
		d, errs := wire.Decode(report(t, telemetry.NewBuilder(telemetry.Record{NodeName: "n"}, n.sources(), t0), t0.Add(time.Minute)), t0)
		if errs != nil {
			t.Fatal(errs)
		}
		d.Rows = append(d.Rows, wire.Row{Table: "gossip_bytes", Time: 1, Cols: []string{"no_such_column"}, Vals: []any{1}})
		if err := s.Insert(context.Background(), d, t0); err == nil {
			t.Fatal("insert of a bad row succeeded")
		}
		for _, table := range []string{"nodes", "gossip_bytes", "shard_health", "peer_count_by_shard"} {
			var rows int
			if err := s.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != 0 {
				t.Errorf("%s has %d rows after a failed insert", table, rows)
			}
		}
	})
}

// TestMigrationsApplyOnce: reopening a database applies nothing again, and
// a database from a newer program is refused.
func TestMigrationsApplyOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		v, err := migrate(ctx, s.db, s.dialect)
		if err != nil || v != len(migrations) {
			t.Fatalf("second migrate: version %d, %v", v, err)
		}
		var rows int
		if err := s.db.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&rows); err != nil || rows != len(migrations) {
			t.Fatalf("schema_migrations has %d rows (%v), want %d", rows, err, len(migrations))
		}
		if _, err := s.db.Exec(rebind(s.dialect, "INSERT INTO schema_migrations (version) VALUES (?)"), len(migrations)+1); err != nil {
			t.Fatal(err)
		}
		if _, err := migrate(ctx, s.db, s.dialect); err == nil {
			t.Error("a newer schema was not refused")
		}
	})
}
