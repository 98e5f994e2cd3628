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
		r := newRealMeshRig(t)
		r.connect()
		r.joinShards()
		// Settle, then look half-way between two heartbeats (they fire at
		// creation + 100 ms + k s), when no GRAFT/PRUNE is in flight.
		sleepUntilMidHeartbeat(r.created, 10*time.Second)
		r.checkMeshesAgree()
		r.checkHost0Settled()
		if t.Failed() {
			return
		}
		seen := r.recordHost0Shard0Health()
		r.closeHostsNonMeshFirst()
		synctest.Wait()
		r.checkHost0WentDown(seen())
	})
}

const realMeshHosts = 14

var realMeshShards = []shardmesh.Shard{{Cluster: 1, Index: 0}, {Cluster: 1, Index: 1}, {Cluster: 1, Index: 2}}

// realMeshJoins: host 0 and every even host join all three shards; odd
// hosts skip shard 2, so meshes differ per shard.
func realMeshJoins(i int) []shardmesh.Shard {
	if i%2 == 1 {
		return realMeshShards[:2]
	}
	return realMeshShards
}

// realMeshRig is the network of TestTrackerOnRealGossipSub: a Tracker
// behind the GossipSub router of every host.
type realMeshRig struct {
	t        *testing.T
	nw       *simhost.Network
	created  time.Time
	trackers []*shardmesh.Tracker
	topics   []map[shardmesh.Shard]*pubsub.Topic
	dialled  map[[2]peer.ID]bool // {from, to} of every dial
	byID     map[peerid.ID]int   // host index of each peer
}

func newRealMeshRig(t *testing.T) *realMeshRig {
	r := &realMeshRig{t: t, trackers: make([]*shardmesh.Tracker, realMeshHosts)}
	r.nw = simhost.NewT(t, realMeshHosts, simhost.WithNodePubsubOptions(func(n *simhost.Node) []pubsub.Option {
		tr, err := shardmesh.NewTracker()
		if err != nil {
			t.Fatal(err)
		}
		rt, err := gossipsub.NewTracer(tr, gossipsub.WithNetwork(n.Host.Network()))
		if err != nil {
			t.Fatal(err)
		}
		r.trackers[n.Index] = tr
		return []pubsub.Option{rt.Option()}
	}))
	r.created = time.Now()
	r.byID = map[peerid.ID]int{}
	for i, n := range r.nw.Nodes() {
		r.byID[peerid.ID(n.ID())] = i
	}
	return r
}

// connect: host 0 dials everyone; the others dial 3 random others among 1..13.
func (r *realMeshRig) connect() {
	var pairs []simhost.Pair
	for j := 1; j < realMeshHosts; j++ {
		pairs = append(pairs, simhost.Pair{From: 0, To: j})
	}
	for _, p := range simhost.RandomPairs(realMeshHosts-1, 3, rand.New(rand.NewPCG(3, 4))) {
		pairs = append(pairs, simhost.Pair{From: p.From + 1, To: p.To + 1})
	}
	if err := r.nw.ConnectPairs(r.t.Context(), pairs); err != nil {
		r.t.Fatal(err)
	}
	r.dialled = map[[2]peer.ID]bool{}
	for _, p := range pairs {
		r.dialled[[2]peer.ID{r.nw.Node(p.From).ID(), r.nw.Node(p.To).ID()}] = true
	}
}

func (r *realMeshRig) joinShards() {
	r.topics = make([]map[shardmesh.Shard]*pubsub.Topic, realMeshHosts)
	for i, n := range r.nw.Nodes() {
		r.topics[i] = map[shardmesh.Shard]*pubsub.Topic{}
		for _, s := range realMeshJoins(i) {
			tp, err := n.PubSub.Join(s.PubsubTopic())
			if err != nil {
				r.t.Fatal(err)
			}
			if _, err := tp.Subscribe(); err != nil {
				r.t.Fatal(err)
			}
			r.topics[i][s] = tp
		}
	}
}

// checkMeshesAgree: B in A's mesh for S iff A in B's, every mesh is a
// subset of ListPeers(topic), and outbound counts match who dialled.
func (r *realMeshRig) checkMeshesAgree() {
	t := r.t
	for i, n := range r.nw.Nodes() {
		for _, s := range realMeshJoins(i) {
			mesh := r.trackers[i].MeshPeers(s)
			listed := r.topics[i][s].ListPeers()
			h, _ := r.trackers[i].ShardHealth(s)
			out := 0
			for _, p := range mesh {
				if !slices.Contains(listed, peer.ID(p)) {
					t.Errorf("host %d %v: mesh peer %d not in ListPeers", i, s, r.byID[p])
				}
				if !r.trackers[r.byID[p]].InMesh(peerid.ID(n.ID()), s) {
					t.Errorf("host %d has %d in its %v mesh, but not the reverse", i, r.byID[p], s)
				}
				if r.dialled[[2]peer.ID{n.ID(), peer.ID(p)}] {
					out++
				}
			}
			if h.OutboundMeshPeers != out {
				t.Errorf("host %d %v: OutboundMeshPeers %d, want %d (of %d)", i, s, h.OutboundMeshPeers, out, len(mesh))
			}
		}
	}
}

func (r *realMeshRig) checkHost0Settled() {
	for _, s := range realMeshShards {
		h, _ := r.trackers[0].ShardHealth(s)
		if h.Health != shardmesh.SufficientlyHealthy || h.MeshPeers < wakugossip.Dlo || h.MeshPeers > wakugossip.Dhi {
			r.t.Errorf("host 0 %v after settling: %+v", s, h)
		}
	}
}

// recordHost0Shard0Health records host 0's shard-0 health from its libp2p
// event bus from now on (the first event is the current level, then every
// change) and returns a function that reads what has been recorded.
func (r *realMeshRig) recordHost0Shard0Health() func() []gossipsub.EvtShardHealthChanged {
	t := r.t
	bus := r.nw.Node(0).Host.EventBus()
	busSub, err := bus.Subscribe(new(gossipsub.EvtShardHealthChanged))
	if err != nil {
		t.Fatal(err)
	}
	emitter, err := gossipsub.NewBusEmitter(r.trackers[0], bus)
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
	go func() { // ends when the cleanup above closes busSub
		for e := range busSub.Out() {
			if evt := e.(gossipsub.EvtShardHealthChanged); evt.Shard == realMeshShards[0] {
				mu.Lock()
				seen = append(seen, evt)
				mu.Unlock()
			}
		}
	}()
	return func() []gossipsub.EvtShardHealthChanged {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// closeHostsNonMeshFirst closes hosts one by one: host 0's non-mesh shard-0
// peers first (its mesh is untouched), then its mesh peers, letting
// heartbeats run between closes.
func (r *realMeshRig) closeHostsNonMeshFirst() {
	open := map[int]bool{}
	for i := 1; i < realMeshHosts; i++ {
		open[i] = true
	}
	for len(open) > 0 {
		victim := -1
		for i := range open {
			if !r.trackers[0].InMesh(peerid.ID(r.nw.Node(i).ID()), realMeshShards[0]) && (victim < 0 || i < victim) {
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
		if err := r.nw.Node(victim).Close(); err != nil {
			r.t.Fatal(err)
		}
		delete(open, victim)
		time.Sleep(3 * time.Second)
	}
}

// checkHost0WentDown: shard 0 went exactly Sufficiently -> Minimally ->
// Unhealthy on host 0's bus, and host 0 ends unhealthy on every shard.
func (r *realMeshRig) checkHost0WentDown(got []gossipsub.EvtShardHealthChanged) {
	t := r.t
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
	if h := r.trackers[0].NodeHealth(); h.Health != shardmesh.Unhealthy || h.Unhealthy != len(realMeshShards) {
		t.Errorf("host 0 node health after everyone left: %+v", h)
	}
	if st := r.trackers[0].Stats(); st.ForeignTopics != 0 {
		t.Errorf("foreign topics counted: %d", st.ForeignTopics)
	}
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
