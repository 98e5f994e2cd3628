package peermanager_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
	"github.com/wakupm/wakupm/slots"
)

var eclipseFull = flag.Bool("eclipse.quota.full", false,
	"TestEclipseSilentMeshPeers: 20 honest nodes and 40 attackers, with and without the outbound quota")

// eclipseSize is the shape of one eclipse run.
type eclipseSize struct {
	honest, victims, attackers int
	messages                   int
}

// eclipseVariant is what the victims run.
type eclipseVariant struct {
	name    string
	quota   bool // wakupm's outbound floor, target and quota; off: no slot kept for outbound
	scoring bool // Waku peer scoring on the honest nodes
}

// eclipseResult is what one run measured at the victims.
type eclipseResult struct {
	delivered, published int // summed over victims
	honestDelivered      int // summed over the non-victim receivers
	honestPublished      int
	// per victim, at the end of the run
	outMesh, honestMesh, attackerMesh, honestConns, attackerConns []int
}

func (r eclipseResult) ratio() float64 {
	return float64(r.delivered) / float64(max(r.published, 1))
}

// TestEclipseSilentMeshPeers (issue 15 item 6): attackers on as many IPs as
// there are attackers (so no colocation limit applies) serve our shard,
// dial every victim, join its mesh and never forward a message (a topic
// validator that ignores everything: no delivery, no gossip, no penalty).
// Honest nodes run a Manager fed by a directory of honest nodes; the
// attackers connect as the Managers start and redial every 5 s a victim
// that pruned them. The honest non-victims then publish, and the
// test measures the share of those messages each victim receives and its
// outbound mesh peers, with wakupm's outbound floor/target/quota and
// without any slot kept for outbound (same total), with Waku peer scoring.
//
// The bound asserted: with the quota every victim keeps at least
// ShardOutboundFloor (Dout) honest outbound peers in its mesh and receives
// every message. CI runs the quota variant at 12 honest nodes (2 victims)
// and 20 attackers (about 20 s of CPU with -race); -eclipse.quota.full
// runs 20 honest nodes (4 victims) and 40 attackers, with and without the
// quota (about 100 s of wall time without -race). Measured there
// (seed 7): both variants deliver 400/400; with the quota each victim holds
// 10 honest outbound and 20 attacker connections, honest outbound mesh
// peers 4 3 3 4, attacker mesh peers 1 1 2 0; without it, 10-11 honest and
// 20 attacker connections, honest outbound mesh 4 6 4 6. The quota makes
// no difference here because the victims' first dials (their floors are
// short at start) land before the attackers fill the floors, and Waku's
// P2 (first deliveries) makes gossipsub keep the honest mesh peers; an
// attacker already connected before Start would test the quota itself.
func TestEclipseSilentMeshPeers(t *testing.T) {
	size := eclipseSize{honest: 12, victims: 2, attackers: 20, messages: 40}
	if *eclipseFull {
		size = eclipseSize{honest: 20, victims: 4, attackers: 40, messages: 100}
	}
	variants := []eclipseVariant{{name: "quota", quota: true, scoring: true}}
	if *eclipseFull { // the comparison costs as much again: not in CI
		variants = append(variants, eclipseVariant{name: "no-quota", quota: false, scoring: true})
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			var r eclipseResult
			synctest.Test(t, func(t *testing.T) { r = runEclipse(t, size, v) })
			t.Logf("%s: %d honest (%d victims), %d attackers on %d IPs: victims received %d/%d = %.3f (non-victims %d/%d); "+
				"per victim: outbound honest mesh %v, honest mesh %v, attacker mesh %v, honest conns %v, attacker conns %v",
				v.name, size.honest, size.victims, size.attackers, size.attackers, r.delivered, r.published, r.ratio(),
				r.honestDelivered, r.honestPublished, r.outMesh, r.honestMesh, r.attackerMesh, r.honestConns, r.attackerConns)
			if !v.quota {
				return // measured, not bounded: the point is the comparison
			}
			floor := relay.DefaultConfig().ShardOutboundFloor
			for i, n := range r.outMesh {
				if n < floor {
					t.Errorf("victim %d keeps %d honest outbound mesh peers, want >= %d", i, n, floor)
				}
			}
			if r.delivered != r.published {
				t.Errorf("victims received %d of %d messages, want all", r.delivered, r.published)
			}
		})
	}
}

const quotaEclipseCluster = shardmesh.ClusterTWN

var quotaEclipseShard = shardmesh.Shard{Cluster: quotaEclipseCluster, Index: 0}

// eclipseConfig is the relay policy of an honest node: the victims' depends
// on the variant, the others run the default.
func eclipseConfig(victim bool, v eclipseVariant, seed uint64) relay.Config {
	c := relay.DefaultConfig()
	c.Seed = seed
	if victim && !v.quota {
		c.InboundTarget += c.OutboundTarget
		c.OutboundTarget, c.OutboundQuota, c.ShardOutboundFloor = 0, 0, 0
	}
	return c
}

func runEclipse(t *testing.T, size eclipseSize, v eclipseVariant) eclipseResult {
	total := size.honest + size.attackers
	topic := quotaEclipseShard.PubsubTopic()
	trackers := make([]*shardmesh.Tracker, size.honest)
	for i := range trackers {
		tr, err := shardmesh.NewTracker()
		if err != nil {
			t.Fatal(err)
		}
		trackers[i] = tr
	}
	nw := simhost.NewT(t, total, simhost.WithSeed(7), simhost.WithPubsubOptions(func(i int) []pubsub.Option {
		opts := []pubsub.Option{wakugossip.RelayProtocol()}
		if i >= size.honest {
			return opts
		}
		tracer, err := gossipsub.NewTracer(trackers[i])
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, tracer.Option())
		if v.scoring {
			opts = append(opts, wakugossip.PeerScoring(topic))
		}
		return opts
	}))
	dir := &directory{cluster: quotaEclipseCluster, entries: map[peer.ID]dirEntry{}, rng: rand.New(rand.NewPCG(7, 7))}
	var shards shardmesh.ShardSet
	shards.Add(quotaEclipseShard.Index)

	honest := make([]*relayNode, size.honest)
	for i := range honest {
		sn := nw.Node(i)
		budget, err := slots.NewBudget(50)
		if err != nil {
			t.Fatal(err)
		}
		n := &relayNode{node: sn, tracker: trackers[i], topics: map[uint16]*pubsub.Topic{}, subs: map[uint16]*pubsub.Subscription{}}
		n.mgr, err = peermanager.NewManager(sn.Host, peermanager.WithConfig(eclipseConfig(i < size.victims, v, uint64(i+1))),
			peermanager.WithBudget(budget), peermanager.WithTracker(trackers[i]), peermanager.WithDiscoverer(dir))
		if err != nil {
			t.Fatal(err)
		}
		n.join(t, quotaEclipseCluster, quotaEclipseShard.Index)
		dir.set(sn.ID(), sn.Host.Addrs(), shards)
		honest[i] = n
	}
	attackers := map[peer.ID]bool{}
	for i := size.honest; i < total; i++ {
		closeAttacker := startAttacker(t, nw.Node(i), shards)
		defer closeAttacker()
		attackers[nw.Node(i).ID()] = true
	}
	for _, n := range honest {
		if err := n.mgr.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := n.mgr.Close(); err != nil {
				t.Error(err)
			}
		}()
	}
	// The attackers connect in the same virtual instant as the Managers
	// start, before any of the victims' dials completes, and reconnect
	// every few seconds to any victim that pruned them. (Before Start
	// would be harsher, but on main Start deadlocks on a host that already
	// has connections; the fix is on s4-harden, 0ff27fc.)
	stopRedial := redialVictims(t, nw, size)
	defer stopRedial()
	time.Sleep(2 * time.Minute) // virtual: dials, prunes, meshes and scores settle
	counts := countReceived(t, honest)
	for m := range size.messages {
		pub := honest[size.victims+m%(size.honest-size.victims)]
		if err := pub.topics[quotaEclipseShard.Index].Publish(t.Context(), fmt.Appendf(nil, "eclipse %d", m)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	time.Sleep(10 * time.Second) // gossip rounds for the stragglers
	got := counts.stop()
	return measureEclipse(honest, size, attackers, got)
}

// redialVictims connects every attacker to every victim now and then again
// every 5 s to the victims it is not connected to, until the returned stop.
func redialVictims(t *testing.T, nw *simhost.Network, size eclipseSize) (stop func()) {
	pairs := func() []simhost.Pair {
		var ps []simhost.Pair
		for a := size.honest; a < size.honest+size.attackers; a++ {
			for v := range size.victims {
				if nw.Node(a).Host.Network().Connectedness(nw.Node(v).ID()) != network.Connected {
					ps = append(ps, simhost.Pair{From: a, To: v})
				}
			}
		}
		return ps
	}
	if err := nw.ConnectPairs(t.Context(), pairs()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_ = nw.ConnectPairs(ctx, pairs()) // a victim may refuse: try again next time
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}

// startAttacker makes node a silent mesh peer on shards: it serves Waku
// metadata, joins the topics (so it announces them and accepts and sends
// grafts) and ignores every message, which go-libp2p-pubsub neither
// delivers, forwards, gossips nor penalises. It returns the teardown.
func startAttacker(t *testing.T, a *simhost.Node, shards shardmesh.ShardSet) func() {
	t.Helper()
	meta, err := metadata.NewService(a.Host, quotaEclipseCluster, metadata.WithShards(func() shardmesh.ShardSet { return shards }))
	if err != nil {
		t.Fatal(err)
	}
	meta.Start()
	var subs []*pubsub.Subscription
	var topics []*pubsub.Topic
	for s := range shards.All() {
		name := shardmesh.Shard{Cluster: quotaEclipseCluster, Index: s}.PubsubTopic()
		err := a.PubSub.RegisterTopicValidator(name, func(context.Context, peer.ID, *pubsub.Message) pubsub.ValidationResult {
			return pubsub.ValidationIgnore
		})
		if err != nil {
			t.Fatal(err)
		}
		tp, err := a.PubSub.Join(name)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := tp.Subscribe()
		if err != nil {
			t.Fatal(err)
		}
		topics, subs = append(topics, tp), append(subs, sub)
	}
	return func() {
		for i := range subs {
			subs[i].Cancel()
			if err := topics[i].Close(); err != nil {
				t.Error(err)
			}
		}
		if err := meta.Close(); err != nil {
			t.Error(err)
		}
	}
}

// receiveCounter counts the eclipse messages each honest node's
// subscription yields.
type receiveCounter struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	counts []atomic.Int64
}

func countReceived(t *testing.T, nodes []*relayNode) *receiveCounter {
	ctx, cancel := context.WithCancel(t.Context())
	c := &receiveCounter{cancel: cancel, counts: make([]atomic.Int64, len(nodes))}
	for i, n := range nodes {
		sub := n.subs[quotaEclipseShard.Index]
		c.wg.Go(func() {
			for {
				if _, err := sub.Next(ctx); err != nil {
					return
				}
				c.counts[i].Add(1)
			}
		})
	}
	return c
}

func (c *receiveCounter) stop() []int {
	c.cancel()
	c.wg.Wait()
	out := make([]int, len(c.counts))
	for i := range c.counts {
		out[i] = int(c.counts[i].Load())
	}
	return out
}

// measureEclipse reads, at each victim, the mesh and connections by
// honesty and direction, and sums the deliveries. A publisher's own
// message counts as delivered to itself, so non-victims are measured on
// the messages of the others.
func measureEclipse(honest []*relayNode, size eclipseSize, attackers map[peer.ID]bool, got []int) eclipseResult {
	var r eclipseResult
	pubs := size.honest - size.victims
	for i, n := range honest {
		if i >= size.victims {
			own := size.messages / pubs
			if (i - size.victims) < size.messages%pubs {
				own++
			}
			r.honestDelivered += got[i] - own
			r.honestPublished += size.messages - own
			continue
		}
		r.delivered += got[i]
		r.published += size.messages
		var out, hm, am int
		for _, p := range n.tracker.MeshPeers(quotaEclipseShard) {
			id := peer.ID(p)
			if attackers[id] {
				am++
				continue
			}
			hm++
			if outbound(n, id) {
				out++
			}
		}
		var hc, ac int
		for _, p := range n.node.Host.Network().Peers() {
			if attackers[p] {
				ac++
			} else {
				hc++
			}
		}
		r.outMesh = append(r.outMesh, out)
		r.honestMesh = append(r.honestMesh, hm)
		r.attackerMesh = append(r.attackerMesh, am)
		r.honestConns = append(r.honestConns, hc)
		r.attackerConns = append(r.attackerConns, ac)
	}
	return r
}

func outbound(n *relayNode, p peer.ID) bool {
	for _, c := range n.node.Host.Network().ConnsToPeer(p) {
		if c.Stat().Direction == network.DirOutbound {
			return true
		}
	}
	return false
}
