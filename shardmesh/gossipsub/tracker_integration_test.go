package gossipsub_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
)

// TestTrackerOnRealGossipSub runs 14 real go-libp2p hosts with Waku
// GossipSub on the simulated network, a Tracker behind each, and checks:
//   - after the meshes settle, trackers agree across hosts (B in A's mesh for
//     S iff A in B's), every mesh is a subset of ListPeers(topic), host 0's
//     shards are SufficientlyHealthy, and outbound counts match who dialled;
//   - closing hosts one by one (host 0's non-mesh peers first, then its mesh
//     peers) yields exactly Sufficiently -> Minimally -> Unhealthy for shard 0
//     on host 0's event bus, with no duplicate.
func TestTrackerOnRealGossipSub(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	synctest.Test(t, func(t *testing.T) {
		const hosts = 14
		shards := []shardmesh.Shard{{Cluster: 1, Index: 0}, {Cluster: 1, Index: 1}, {Cluster: 1, Index: 2}}
		// Host 0 and every even host join all three shards; odd hosts skip
		// shard 2, so meshes differ per shard.
		joins := func(i int) []shardmesh.Shard {
			if i%2 == 1 {
				return shards[:2]
			}
			return shards
		}
		trackers := make([]*shardmesh.Tracker, hosts)
		nw := simhost.NewT(t, hosts, simhost.WithNodePubsubOptions(func(n *simhost.Node) []pubsub.Option {
			tr, err := shardmesh.NewTracker()
			if err != nil {
				t.Fatal(err)
			}
			rt, err := gossipsub.NewTracer(tr, gossipsub.WithNetwork(n.Host.Network()))
			if err != nil {
				t.Fatal(err)
			}
			trackers[n.Index] = tr
			return []pubsub.Option{rt.Option()}
		}))
		created := time.Now()

		// Host 0 dials everyone; the others dial 3 random others among 1..13.
		var pairs []simhost.Pair
		for j := 1; j < hosts; j++ {
			pairs = append(pairs, simhost.Pair{From: 0, To: j})
		}
		for _, p := range simhost.RandomPairs(hosts-1, 3, rand.New(rand.NewPCG(3, 4))) {
			pairs = append(pairs, simhost.Pair{From: p.From + 1, To: p.To + 1})
		}
		if err := nw.ConnectPairs(t.Context(), pairs); err != nil {
			t.Fatal(err)
		}
		dialled := map[[2]peer.ID]bool{}
		for _, p := range pairs {
			dialled[[2]peer.ID{nw.Node(p.From).ID(), nw.Node(p.To).ID()}] = true
		}

		topics := make([]map[shardmesh.Shard]*pubsub.Topic, hosts)
		for i, n := range nw.Nodes() {
			topics[i] = map[shardmesh.Shard]*pubsub.Topic{}
			for _, s := range joins(i) {
				tp, err := n.PubSub.Join(s.PubsubTopic())
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tp.Subscribe(); err != nil {
					t.Fatal(err)
				}
				topics[i][s] = tp
			}
		}

		// Settle, then look half-way between two heartbeats (they fire at
		// creation + 100 ms + k s), when no GRAFT/PRUNE is in flight.
		sleepUntilMidHeartbeat(created, 10*time.Second)
		byID := map[peerid.ID]int{}
		for i, n := range nw.Nodes() {
			byID[peerid.ID(n.ID())] = i
		}
		for i, n := range nw.Nodes() {
			for _, s := range joins(i) {
				mesh := trackers[i].MeshPeers(s)
				listed := topics[i][s].ListPeers()
				h, _ := trackers[i].ShardHealth(s)
				out := 0
				for _, p := range mesh {
					if !slices.Contains(listed, peer.ID(p)) {
						t.Errorf("host %d %v: mesh peer %d not in ListPeers", i, s, byID[p])
					}
					if !trackers[byID[p]].InMesh(peerid.ID(n.ID()), s) {
						t.Errorf("host %d has %d in its %v mesh, but not the reverse", i, byID[p], s)
					}
					if dialled[[2]peer.ID{n.ID(), peer.ID(p)}] {
						out++
					}
				}
				if h.OutboundMeshPeers != out {
					t.Errorf("host %d %v: OutboundMeshPeers %d, want %d (of %d)", i, s, h.OutboundMeshPeers, out, len(mesh))
				}
			}
		}
		for _, s := range shards {
			h, _ := trackers[0].ShardHealth(s)
			if h.Health != shardmesh.SufficientlyHealthy || h.MeshPeers < wakugossip.Dlo || h.MeshPeers > wakugossip.Dhi {
				t.Errorf("host 0 %v after settling: %+v", s, h)
			}
		}
		if t.Failed() {
			return
		}

		// From now on, record host 0's shard-0 health from its libp2p event bus:
		// the first event is the current level, then every change.
		bus := nw.Node(0).Host.EventBus()
		busSub, err := bus.Subscribe(new(gossipsub.EvtShardHealthChanged))
		if err != nil {
			t.Fatal(err)
		}
		emitter, err := gossipsub.NewBusEmitter(trackers[0], bus)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { // runs before the network's cleanup (LIFO)
			if err := emitter.Close(); err != nil {
				t.Error(err)
			}
			busSub.Close()
		})
		var (
			mu   sync.Mutex
			seen []gossipsub.EvtShardHealthChanged
		)
		go func() {
			for e := range busSub.Out() {
				if evt := e.(gossipsub.EvtShardHealthChanged); evt.Shard == shards[0] {
					mu.Lock()
					seen = append(seen, evt)
					mu.Unlock()
				}
			}
		}()

		// Close hosts one by one: host 0's non-mesh shard-0 peers first (its
		// mesh is untouched), then its mesh peers, letting heartbeats run
		// between closes.
		open := map[int]bool{}
		for i := 1; i < hosts; i++ {
			open[i] = true
		}
		for len(open) > 0 {
			victim := -1
			for i := range open {
				if !trackers[0].InMesh(peerid.ID(nw.Node(i).ID()), shards[0]) && (victim < 0 || i < victim) {
					victim = i
				}
			}
			if victim < 0 {
				for i := range open {
					if victim < 0 || i < victim {
						victim = i
					}
				}
			}
			if err := nw.Node(victim).Close(); err != nil {
				t.Fatal(err)
			}
			delete(open, victim)
			time.Sleep(3 * time.Second)
		}
		synctest.Wait()
		mu.Lock()
		got := slices.Clone(seen)
		mu.Unlock()
		var levels []shardmesh.Health
		for _, e := range got {
			if !e.Joined {
				t.Errorf("unexpected leave event %+v", e)
			}
			levels = append(levels, e.Health)
		}
		// Exactly these, in this order: a bounce back up or a repeated level
		// would show up here.
		want := []shardmesh.Health{shardmesh.SufficientlyHealthy, shardmesh.MinimallyHealthy, shardmesh.Unhealthy}
		if !slices.Equal(levels, want) {
			t.Fatalf("host 0 shard 0 levels %v, want %v", levels, want)
		}
		if h := trackers[0].NodeHealth(); h.Health != shardmesh.Unhealthy || h.Unhealthy != len(shards) {
			t.Errorf("host 0 node health after everyone left: %+v", h)
		}
		if st := trackers[0].Stats(); st.ForeignTopics != 0 {
			t.Errorf("foreign topics counted: %d", st.ForeignTopics)
		}
	})
}

// sleepUntilMidHeartbeat sleeps until at least `after` past created, at a
// point half-way between two gossipsub heartbeats, then waits for every
// goroutine of the bubble to block.
func sleepUntilMidHeartbeat(created time.Time, after time.Duration) {
	const initialDelay = 100 * time.Millisecond // pubsub GossipSubHeartbeatInitialDelay
	target := created.Add(initialDelay + after + wakugossip.HeartbeatInterval/2)
	time.Sleep(time.Until(target))
	synctest.Wait()
}
