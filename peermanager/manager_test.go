package peermanager_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
)

func TestNewManagerValidatesOptions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 1, simhost.WithoutPubsub())
		h := nw.Node(0).Host
		bad := relay.DefaultConfig()
		bad.MaxDialsInFlight = 0
		for name, opts := range map[string][]peermanager.Option{
			"policy":     {peermanager.WithConfig(bad)},
			"tracker":    {peermanager.WithTracker(nil)},
			"discoverer": {peermanager.WithDiscoverer(nil)},
			"background": {peermanager.WithBackgroundDiscovery(0, 1)},
			"budget":     {peermanager.WithBudget(slots.Budget{MaxConnections: 1})},
			"tag":        {peermanager.WithProtectTag("")},
			"logger":     {peermanager.WithLogger(nil)},
			"static":     {peermanager.WithStaticPeers(peer.AddrInfo{ID: h.ID()})},
			"metadata":   {peermanager.WithMetadataService(nil)},
			"queue":      {peermanager.WithEventQueueLimit(0)},
			"clock":      {peermanager.WithClock(nil)},
		} {
			var oe *peermanager.OptionError
			if _, err := peermanager.NewManager(h, opts...); !errors.As(err, &oe) {
				t.Errorf("%s: %v, want an *OptionError", name, err)
			}
		}
		var oe *peermanager.OptionError
		if _, err := peermanager.NewManager(nil); !errors.As(err, &oe) {
			t.Errorf("nil host: %v", err)
		}
		m, err := peermanager.NewManager(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Subscribe(shardmesh.Shard{Cluster: 16, Index: 1}); !errors.Is(err, peermanager.ErrOtherCluster) {
			t.Errorf("shard of another cluster: %v", err)
		}
		if err := m.Unsubscribe(shardmesh.Shard{Cluster: 1, Index: 1024}); err == nil {
			t.Error("shard index 1024 accepted")
		}
		if err := m.Close(); err != nil { // close before start: nothing to stop
			t.Fatal(err)
		}
	})
}

// TestManagerMetadataClusterCheck: two managers of cluster 1 keep their
// connection after the real metadata exchange; a cluster-16 peer that
// dials a cluster-1 node is disconnected, and the book remembers its
// cluster so that it is never dialled back.
func TestManagerMetadataClusterCheck(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 3, simhost.WithoutPubsub())
		clusters := []uint16{1, 1, 16}
		var mgrs []*peermanager.Manager
		for i, n := range nw.Nodes() {
			cfg := relay.DefaultConfig()
			cfg.Cluster = clusters[i]
			m, err := peermanager.NewManager(n.Host, peermanager.WithConfig(cfg))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Start(); err != nil {
				t.Fatal(err)
			}
			mgrs = append(mgrs, m)
		}
		defer func() {
			for _, m := range mgrs {
				if err := m.Close(); err != nil {
					t.Error(err)
				}
			}
		}()
		if err := nw.Connect(t.Context(), 1, 0); err != nil {
			t.Fatal(err)
		}
		if err := nw.Connect(t.Context(), 2, 0); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		h0 := nw.Node(0).Host
		if got := h0.Network().Connectedness(nw.Node(1).ID()); got != network.Connected {
			t.Errorf("same cluster: %v, want connected", got)
		}
		if got := h0.Network().Connectedness(nw.Node(2).ID()); got == network.Connected {
			t.Errorf("cluster 16 peer still connected to a cluster 1 node")
		}
		snap := mgrs[0].Snapshot()
		if n := snap.Stats.Disconnects[relay.ReasonClusterMismatch]; n != 1 {
			t.Errorf("cluster-mismatch disconnects of node 0 = %d, want 1", n)
		}
		var known bool
		mgrs[0].ReadBook(func(b *book.Book) {
			if p := b.Get(peerid.ID(nw.Node(2).ID())); p != nil {
				c, ok := p.Cluster()
				known = ok && c == 16
			}
		})
		if !known {
			t.Error("node 0's book does not record the peer's cluster 16")
		}
	})
}

// TestManagerTellsConnectedPeersNewShards: two managers connect before
// either subscribes, so the metadata exchanged on connection lists no shard.
// When they subscribe, each tells the other (a metadata request carries the
// requester's shards), and each book soon lists the other on the shard.
func TestManagerTellsConnectedPeersNewShards(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 2, simhost.WithoutPubsub())
		var mgrs []*peermanager.Manager
		for _, n := range nw.Nodes() {
			cfg := relay.DefaultConfig()
			cfg.Cluster = 16
			m, err := peermanager.NewManager(n.Host, peermanager.WithConfig(cfg))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Start(); err != nil {
				t.Fatal(err)
			}
			mgrs = append(mgrs, m)
		}
		defer func() {
			for _, m := range mgrs {
				if err := m.Close(); err != nil {
					t.Error(err)
				}
			}
		}()
		if err := nw.Connect(t.Context(), 0, 1); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		shardsOf := func(m *peermanager.Manager, id peer.ID) (set shardmesh.ShardSet, src book.ShardSource) {
			m.ReadBook(func(b *book.Book) {
				if p := b.Get(peerid.ID(id)); p != nil {
					set, src = p.Shards()
				}
			})
			return set, src
		}
		if set, src := shardsOf(mgrs[0], nw.Node(1).ID()); src != book.ShardsFromMetadata || !set.Empty() {
			t.Fatalf("test premise: node 0 sees node 1 on %v from %v, want no shard from metadata", set, src)
		}
		for i, s := range []uint16{7, 9} {
			if err := mgrs[i].Subscribe(shardmesh.Shard{Cluster: 16, Index: s}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if set, _ := shardsOf(mgrs[1], nw.Node(0).ID()); !set.Contains(7) {
			t.Errorf("node 1 sees node 0 on %v, want shard 7", set)
		}
		if set, _ := shardsOf(mgrs[0], nw.Node(1).ID()); !set.Contains(9) {
			t.Errorf("node 0 sees node 1 on %v, want shard 9", set)
		}
	})
}

// TestManagerStepsCoreWithItsClock: the Manager steps its core with the
// time of WithClock, never time.Now: a discovered peer is recorded as seen
// at the clock's time.
func TestManagerStepsCoreWithItsClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 2, simhost.WithoutPubsub())
		at := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
		m := startManager(t, nw.Node(0).Host, peermanager.WithoutMetadata(),
			peermanager.WithClock(func() time.Time { return at }))
		other := nw.Node(1)
		on, _ := shardmesh.ShardSetOf(5)
		m.AddPeer(book.DiscoveredPeer{ID: peerid.ID(other.ID()), Origin: book.OriginDiscv5, HasENR: true,
			Cluster: shardmesh.ClusterTWN, HasShards: true, Shards: on, Caps: shardmesh.CapRelay}, other.Host.Addrs())
		synctest.Wait()
		var seen time.Time
		m.ReadBook(func(b *book.Book) {
			if p := b.Get(peerid.ID(other.ID())); p != nil {
				seen = p.LastSeen()
			}
		})
		if !seen.Equal(at) {
			t.Errorf("peer last seen at %v, want the clock's %v", seen, at)
		}
	})
}
