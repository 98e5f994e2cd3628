package peermanager_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
	"github.com/wakupm/wakupm/slots"
)

// directory is a Discoverer over a fixed list of node records, as a DNS
// discovery tree (EIP-1459) gives a Waku node: it answers on-demand
// requests with up to n live nodes on the shard, in random order. Nodes that
// leave are removed from it, as from a refreshed tree.
type directory struct {
	mu      sync.Mutex
	cluster uint16
	entries map[peer.ID]dirEntry
	rng     *rand.Rand
}

type dirEntry struct {
	addrs  []ma.Multiaddr
	shards shardmesh.ShardSet
}

func (d *directory) set(id peer.ID, addrs []ma.Multiaddr, shards shardmesh.ShardSet) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.entries[id] = dirEntry{addrs, shards}
}

func (d *directory) remove(id peer.ID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.entries, id)
}

func (d *directory) FindPeers(ctx context.Context, shard shardmesh.Shard, n int, found func(book.DiscoveredPeer, []ma.Multiaddr)) error {
	d.mu.Lock()
	var ids []peer.ID
	for id, e := range d.entries {
		if shard.Cluster == d.cluster && e.shards.Contains(shard.Index) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	d.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	type hit struct {
		d     book.DiscoveredPeer
		addrs []ma.Multiaddr
	}
	var hits []hit
	for _, id := range ids[:min(n, len(ids))] {
		e := d.entries[id]
		hits = append(hits, hit{book.DiscoveredPeer{ID: peerid.ID(id), Origin: book.OriginDiscv5, HasENR: true,
			Cluster: d.cluster, HasShards: true, Shards: e.shards, Caps: shardmesh.CapRelay}, e.addrs})
	}
	d.mu.Unlock()
	for _, h := range hits {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		found(h.d, h.addrs)
	}
	return nil
}

// relayNode is one simulated host running gossipsub and a Manager.
type relayNode struct {
	node    *simhost.Node
	tracker *shardmesh.Tracker
	mgr     *peermanager.Manager
	topics  map[uint16]*pubsub.Topic
	subs    map[uint16]*pubsub.Subscription
	dead    bool
}

func (n *relayNode) join(t *testing.T, cluster, s uint16) {
	t.Helper()
	tp, err := n.node.PubSub.Join(shardmesh.Shard{Cluster: cluster, Index: s}.PubsubTopic())
	if err != nil {
		t.Fatal(err)
	}
	sub, err := tp.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	n.topics[s], n.subs[s] = tp, sub
}

func (n *relayNode) leave(t *testing.T, s uint16) {
	t.Helper()
	n.subs[s].Cancel()
	if err := n.topics[s].Close(); err != nil {
		t.Fatal(err)
	}
	delete(n.subs, s)
	delete(n.topics, s)
}

func (n *relayNode) healthy() bool {
	for s := range n.topics {
		if n.tracker.Health(shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: s}) != shardmesh.SufficientlyHealthy {
			return false
		}
	}
	return true
}

// TestManagerShardsBecomeHealthy runs 40 real hosts with Waku GossipSub on
// the simulated network in virtual time, 8 shards, 2-3 shards per node,
// each with a Manager fed by a discovery directory and nothing else (no
// pre-made connection). Every node must reach SufficientlyHealthy on every
// subscribed shard; then a quarter of the nodes change one subscription and
// a quarter of the nodes are killed, and every survivor must recover.
// It takes about 10 s of wall time on 2 cores.
func TestManagerShardsBecomeHealthy(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		c := newRelayCluster(t)
		c.startManagers()
		defer c.closeLiveManagers()
		c.waitHealthy("start", 3*time.Minute)
		c.swapOneShardInFirstQuarter()
		c.killLastQuarter()
		c.requireShardsKeepDloPlusOne()
		c.waitHealthy("after churn", 3*time.Minute)
		c.logSurvivorDials()
	})
}

// The network of TestManagerShardsBecomeHealthy.
const (
	relayClusterHosts  = 40
	relayClusterShards = 8
	relayClusterID     = shardmesh.ClusterTWN
)

// relayCluster is the network of TestManagerShardsBecomeHealthy: every node
// runs a Manager fed by dir and nothing else, all sharing one slot budget.
type relayCluster struct {
	t     *testing.T
	nodes []*relayNode
	dir   *directory
}

func newRelayCluster(t *testing.T) *relayCluster {
	trackers := make([]*shardmesh.Tracker, relayClusterHosts)
	for i := range trackers {
		tr, err := shardmesh.NewTracker()
		if err != nil {
			t.Fatal(err)
		}
		trackers[i] = tr
	}
	nw := simhost.NewT(t, relayClusterHosts, simhost.WithSeed(3), simhost.WithPubsubOptions(func(i int) []pubsub.Option {
		tracer, err := gossipsub.NewTracer(trackers[i])
		if err != nil {
			t.Fatal(err)
		}
		return []pubsub.Option{tracer.Option(), wakugossip.RelayProtocol()}
	}))
	c := &relayCluster{t: t, nodes: make([]*relayNode, relayClusterHosts),
		dir: &directory{cluster: relayClusterID, entries: map[peer.ID]dirEntry{}, rng: rand.New(rand.NewPCG(1, 1))}}
	budget, err := slots.NewBudget(50)
	if err != nil {
		t.Fatal(err)
	}
	for i, sn := range nw.Nodes() {
		n := &relayNode{node: sn, tracker: trackers[i], topics: map[uint16]*pubsub.Topic{}, subs: map[uint16]*pubsub.Subscription{}}
		// Two or three shards each, spread so that every shard keeps
		// enough live nodes (Dlo+1) through the churn below.
		var set shardmesh.ShardSet
		set.Add(uint16(i % relayClusterShards))
		set.Add(uint16((i + 3) % relayClusterShards))
		if i%2 == 1 {
			set.Add(uint16((i + 5) % relayClusterShards))
		}
		policy := relay.DefaultConfig()
		policy.Seed = uint64(i + 1)
		n.mgr, err = peermanager.NewManager(sn.Host, peermanager.WithConfig(policy), peermanager.WithBudget(budget),
			peermanager.WithTracker(trackers[i]), peermanager.WithDiscoverer(c.dir))
		if err != nil {
			t.Fatal(err)
		}
		for s := range set.All() {
			n.join(t, relayClusterID, s)
		}
		c.dir.set(sn.ID(), sn.Host.Addrs(), set)
		c.nodes[i] = n
	}
	return c
}

func (c *relayCluster) startManagers() {
	for _, n := range c.nodes {
		if err := n.mgr.Start(); err != nil {
			c.t.Fatal(err)
		}
	}
}

func (c *relayCluster) closeLiveManagers() {
	for _, n := range c.nodes {
		if !n.dead {
			if err := n.mgr.Close(); err != nil {
				c.t.Error(err)
			}
		}
	}
}

// waitHealthy polls every second until every live node is sufficiently
// healthy on every shard it is on, and fails after limit (virtual time).
func (c *relayCluster) waitHealthy(phase string, limit time.Duration) {
	t := c.t
	t.Helper()
	start := time.Now()
	for first := true; ; first = false {
		sick := 0
		for _, n := range c.nodes {
			if !n.dead && !n.healthy() {
				sick++
			}
		}
		if first {
			t.Logf("%s: %d live nodes not yet sufficiently healthy on every shard", phase, sick)
		}
		if sick == 0 {
			t.Logf("%s: every node sufficiently healthy on every shard after %v (virtual)", phase, time.Since(start))
			return
		}
		if time.Since(start) > limit {
			for i, n := range c.nodes {
				if n.dead || n.healthy() {
					continue
				}
				snap := n.mgr.Snapshot()
				t.Errorf("%s: node %d not healthy after %v: %+v", phase, i, limit, snap.Shards)
			}
			t.FailNow()
		}
		time.Sleep(time.Second)
	}
}

// swapOneShardInFirstQuarter: a quarter of the nodes swap one shard for
// another.
func (c *relayCluster) swapOneShardInFirstQuarter() {
	for _, n := range c.nodes[:relayClusterHosts/4] {
		var old uint16
		for s := range n.topics {
			old = max(old, s)
		}
		next := (old + 1) % relayClusterShards
		for n.topics[next] != nil {
			next = (next + 1) % relayClusterShards
		}
		n.leave(c.t, old)
		n.join(c.t, relayClusterID, next)
		var set shardmesh.ShardSet
		for s := range n.topics {
			set.Add(s)
		}
		c.dir.set(n.node.ID(), n.node.Host.Addrs(), set)
	}
}

// killLastQuarter: a quarter of the nodes die (the last quarter, not the
// ones that changed shards).
func (c *relayCluster) killLastQuarter() {
	for _, n := range c.nodes[relayClusterHosts-relayClusterHosts/4:] {
		n.dead = true
		c.dir.remove(n.node.ID())
		if err := n.mgr.Close(); err != nil {
			c.t.Fatal(err)
		}
		if err := n.node.Close(); err != nil {
			c.t.Fatal(err)
		}
	}
}

// requireShardsKeepDloPlusOne: the scenario must leave every shard able to
// be sufficiently healthy: at least Dlo+1 live nodes on it.
func (c *relayCluster) requireShardsKeepDloPlusOne() {
	perShard := map[uint16]int{}
	for _, n := range c.nodes {
		for s := range n.topics {
			if !n.dead {
				perShard[s]++
			}
		}
	}
	for s := range uint16(relayClusterShards) {
		if perShard[s] < 5 {
			c.t.Fatalf("test setup: shard %d keeps %d live nodes, fewer than Dlo+1", s, perShard[s])
		}
	}
}

func (c *relayCluster) logSurvivorDials() {
	var dials, failed uint64
	for _, n := range c.nodes {
		if !n.dead {
			st := n.mgr.Snapshot().Stats
			dials, failed = dials+st.DialsStarted, failed+st.DialsFailed+st.DialsExpired
		}
	}
	c.t.Logf("survivors: %d dials, %d failed", dials, failed)
}
