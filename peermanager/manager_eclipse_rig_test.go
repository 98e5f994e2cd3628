package peermanager_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
)

// The eclipse tests share one network (the rig): honest nodes 0..honest-1
// run gossipsub, a tracker and a Manager, the first `victims` of them being
// the victims; the attackers after them, each on its own IP (so no
// colocation limit applies), serve the shard in metadata, join its topic,
// graft and stay in meshes, but never forward a message, and keep dialling
// the victims. Discovery (a directory) lists only the honest nodes the test
// lists; the attackers reach the victims by dialling them.

const eclipseCluster = shardmesh.ClusterTWN

var eclipseShard = shardmesh.Shard{Cluster: eclipseCluster, Index: 0}

// eclipseSpec is the shape of one eclipse network.
type eclipseSpec struct {
	seed                       uint64
	honest, victims, attackers int
	scoring                    bool // Waku peer scoring on the honest nodes
	// options returns the Manager options of honest node i (a victim
	// when i < victims), besides its tracker and the directory.
	options func(i int) []peermanager.Option
	// lateDiscovery: the victims' discovery finds no honest node until
	// openDiscovery (a new node's discv5 needs time to find peers; an
	// attacker that already knows the node needs none).
	lateDiscovery bool
	// discoverAttackers: the victims' discovery finds the attackers, at
	// once (they advertise themselves as relays on the shard).
	discoverAttackers bool
}

// eclipseRig is a built eclipse network. Its Managers are built, not
// started; its attackers are started. Everything stops on t's cleanup.
type eclipseRig struct {
	spec      eclipseSpec
	nw        *simhost.Network
	dir       *directory
	honest    []*relayNode
	attackers map[peer.ID]bool
	open      atomic.Bool // the victims' discovery finds honest nodes
	// attackerDir lists the attackers, for the victims' discovery.
	attackerDir *directory
}

// victimDiscovery is the victims' discovery: the honest nodes once open,
// the attackers from the start with discoverAttackers.
type victimDiscovery struct{ r *eclipseRig }

func (d victimDiscovery) FindPeers(ctx context.Context, shard shardmesh.Shard, n int, found func(book.DiscoveredPeer, []ma.Multiaddr)) error {
	if d.r.spec.discoverAttackers {
		if err := d.r.attackerDir.FindPeers(ctx, shard, n, found); err != nil {
			return err
		}
	}
	if !d.r.open.Load() {
		return nil
	}
	return d.r.dir.FindPeers(ctx, shard, n, found)
}

func (r *eclipseRig) openDiscovery() { r.open.Store(true) }

func onEclipseShard() shardmesh.ShardSet {
	var on shardmesh.ShardSet
	on.Add(eclipseShard.Index)
	return on
}

// newEclipseRig builds the network of spec inside a synctest bubble.
func newEclipseRig(t *testing.T, spec eclipseSpec) *eclipseRig {
	t.Helper()
	trackers := make([]*shardmesh.Tracker, spec.honest)
	for i := range trackers {
		tr, err := shardmesh.NewTracker()
		if err != nil {
			t.Fatal(err)
		}
		trackers[i] = tr
	}
	topic := eclipseShard.PubsubTopic()
	nw := simhost.NewT(t, spec.honest+spec.attackers, simhost.WithSeed(spec.seed), simhost.WithPubsubOptions(func(i int) []pubsub.Option {
		opts := []pubsub.Option{wakugossip.RelayProtocol()}
		if i >= spec.honest {
			return opts
		}
		tracer, err := gossipsub.NewTracer(trackers[i])
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, tracer.Option())
		if spec.scoring {
			opts = append(opts, wakugossip.PeerScoring(topic))
		}
		return opts
	}))
	r := &eclipseRig{spec: spec, nw: nw, attackers: map[peer.ID]bool{},
		dir: &directory{cluster: eclipseCluster, entries: map[peer.ID]dirEntry{}, rng: rand.New(rand.NewPCG(spec.seed, 7))}}
	r.open.Store(!spec.lateDiscovery)
	r.attackerDir = &directory{cluster: eclipseCluster, entries: map[peer.ID]dirEntry{}, rng: rand.New(rand.NewPCG(spec.seed, 8))}
	for i := range spec.honest {
		n := &relayNode{node: nw.Node(i), tracker: trackers[i], topics: map[uint16]*pubsub.Topic{}, subs: map[uint16]*pubsub.Subscription{}}
		var disc peermanager.Discoverer = r.dir
		if i < spec.victims {
			disc = victimDiscovery{r}
		}
		opts := append(spec.options(i), peermanager.WithTracker(trackers[i]), peermanager.WithDiscoverer(disc))
		var err error
		if n.mgr, err = peermanager.NewManager(n.node.Host, opts...); err != nil {
			t.Fatal(err)
		}
		n.join(t, eclipseCluster, eclipseShard.Index)
		r.honest = append(r.honest, n)
	}
	for i := spec.honest; i < nw.Len(); i++ {
		startAttacker(t, nw.Node(i))
		r.attackerDir.set(nw.Node(i).ID(), nw.Node(i).Host.Addrs(), onEclipseShard())
		r.attackers[nw.Node(i).ID()] = true
	}
	return r
}

// list puts honest nodes from..to-1 in the directory.
func (r *eclipseRig) list(from, to int) {
	for _, n := range r.honest[from:to] {
		r.dir.set(n.node.ID(), n.node.Host.Addrs(), onEclipseShard())
	}
}

// start starts the Managers of honest nodes from..to-1.
func (r *eclipseRig) start(t *testing.T, from, to int) {
	t.Helper()
	for _, n := range r.honest[from:to] {
		if err := n.mgr.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := n.mgr.Close(); err != nil {
				t.Error(err)
			}
		})
	}
}

// redial connects every attacker to every victim now, then again every
// interval to the victims it is not connected to (a victim that pruned it),
// until t's cleanup.
func (r *eclipseRig) redial(t *testing.T, every time.Duration) {
	t.Helper()
	pairs := func() []simhost.Pair {
		var ps []simhost.Pair
		for a := r.spec.honest; a < r.nw.Len(); a++ {
			for v := range r.spec.victims {
				if r.nw.Node(a).Host.Network().Connectedness(r.nw.Node(v).ID()) != network.Connected {
					ps = append(ps, simhost.Pair{From: a, To: v})
				}
			}
		}
		return ps
	}
	if err := r.nw.ConnectPairs(t.Context(), pairs()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_ = r.nw.ConnectPairs(ctx, pairs()) // a victim may refuse: try again next time
			}
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// startAttacker makes a a silent mesh peer on the eclipse shard: it serves
// Waku metadata with the shard (as an honest relay would, else a victim on
// The Waku Network drops it, RELAY-27), joins the topic (so it announces
// it and accepts and sends grafts) and ignores every message, which
// go-libp2p-pubsub neither delivers, forwards, gossips nor penalises.
func startAttacker(t *testing.T, a *simhost.Node) {
	t.Helper()
	meta, err := metadata.NewService(a.Host, eclipseCluster, metadata.WithShards(onEclipseShard))
	if err != nil {
		t.Fatal(err)
	}
	meta.Start()
	name := eclipseShard.PubsubTopic()
	err = a.PubSub.RegisterTopicValidator(name, func(context.Context, peer.ID, *pubsub.Message) pubsub.ValidationResult {
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
	t.Cleanup(func() {
		sub.Cancel()
		if err := tp.Close(); err != nil {
			t.Error(err)
		}
		if err := meta.Close(); err != nil {
			t.Error(err)
		}
	})
}
