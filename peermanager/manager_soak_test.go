package peermanager_test

import (
	"flag"
	"math/rand/v2"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
)

// soak is the virtual duration of TestManagerChurnSoak: a few minutes by
// default (CI), an hour with -soak=1h.
var soak = flag.Duration("soak", 2*time.Minute, "virtual duration of TestManagerChurnSoak (an hour: -soak=1h)")

// The soak network: soakNodes live nodes on soakShards shards, two shards
// each, so that every shard has soakNodes/2 members; soakChurn of them
// leave and as many new ones join at the start of every virtual minute.
// The book holds soakBookCap records, fewer than the peers a node sees in
// two minutes. It evicts only disconnected records (book.Connected records
// every connected peer), so it may hold more while more peers are
// connected: at most the hosts alive at once, soakNodes+soakChurn during a
// wave.
const (
	soakNodes   = 24
	soakShards  = 4
	soakChurn   = 7 // 30 % of 24 per minute
	soakBookCap = 24
)

// soakNode is one live node of the soak.
type soakNode struct {
	relayNode
	shards shardmesh.ShardSet
}

// soakNet is the churning network of TestManagerChurnSoak.
type soakNet struct {
	t        *testing.T
	nw       *simhost.Network
	dir      *directory
	trackers map[int]*shardmesh.Tracker // by simhost index, filled as hosts start
	live     []*soakNode
	seen     int // nodes that ever joined
	rng      *rand.Rand
}

// TestManagerChurnSoak churns a network of real hosts running gossipsub and
// a Manager in virtual time: every minute 30 % of the nodes leave and as
// many new ones join. After every wave every live node must be
// sufficiently healthy on its shards again within the minute; every minute
// the Manager's and the tracker's entries are sampled and must stay
// bounded by the book's capacity however many peers came and went; at the
// end no goroutine may be left. -soak=1h runs the hour (about 420 peers
// seen per node for a book of 32).
func TestManagerChurnSoak(t *testing.T) {
	defer goleak.VerifyNone(t)
	minutes := int(*soak / time.Minute)
	if minutes < 1 {
		t.Skip("-soak below one minute")
	}
	synctest.Test(t, func(t *testing.T) {
		s := newSoakNet(t)
		defer s.closeAll()
		for range soakNodes {
			s.join()
		}
		var worst relay.Footprint
		for m := 1; m <= minutes; m++ {
			start := time.Now()
			if m > 1 {
				s.wave()
			}
			took := s.waitHealthy(m)
			time.Sleep(time.Until(start.Add(time.Minute)))
			f, book, tracked := s.sample()
			worst = maxFootprint(worst, f)
			// The heap includes the test's own departed hosts (the
			// simhost Network keeps every node it made): it is logged,
			// but the entries are what is checked.
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			t.Logf("minute %2d: %d nodes seen, healthy again after %v; per node max: book %d records / %d slots, "+
				"%d peer states, %d dials, %d tracked peers; heap %d KiB",
				m, s.seen, took, book, f.BookSlots, f.PeerStates, f.Dials, tracked, ms.HeapAlloc>>10)
			// Records beyond the capacity are connected or dialling
			// peers, which the book never evicts: at most the hosts
			// alive at once.
			if book > max(soakBookCap, soakNodes+soakChurn) || f.BookSlots > soakNodes+soakChurn || f.PeerStates > f.BookSlots {
				t.Fatalf("minute %d: book %d records (capacity %d), %d slots, %d peer states", m, book, soakBookCap, f.BookSlots, f.PeerStates)
			}
			if f.Dials > relay.WakupmPreset().MaxDialsInFlight || f.DialingIPs > f.Dials || f.Queue > 0 {
				t.Fatalf("minute %d: %+v", m, f)
			}
			// The tracker forgets a peer when its last connection
			// closes: it holds at most the live nodes.
			if tracked > soakNodes {
				t.Fatalf("minute %d: a tracker holds %d peers, %d nodes are live", m, tracked, soakNodes)
			}
		}
		t.Logf("%d nodes seen in %d virtual minutes; worst per-node footprint %+v", s.seen, minutes, worst)
	})
}

func newSoakNet(t *testing.T) *soakNet {
	s := &soakNet{t: t, trackers: map[int]*shardmesh.Tracker{}, rng: rand.New(rand.NewPCG(15, 4)),
		dir: &directory{cluster: shardmesh.ClusterTWN, entries: map[peer.ID]dirEntry{}, rng: rand.New(rand.NewPCG(15, 5))}}
	s.nw = simhost.NewT(t, 0, simhost.WithSeed(15), simhost.WithNodePubsubOptions(func(n *simhost.Node) []pubsub.Option {
		tr, err := shardmesh.NewTracker()
		if err != nil {
			t.Fatal(err)
		}
		s.trackers[n.Index] = tr
		tracer, err := gossipsub.NewTracer(tr)
		if err != nil {
			t.Fatal(err)
		}
		return []pubsub.Option{tracer.Option(), wakugossip.RelayProtocol()}
	}))
	return s
}

// join starts one more node on two shards, the pair chosen so that every
// shard keeps about as many members.
func (s *soakNet) join() {
	t := s.t
	sn, err := s.nw.AddNode()
	if err != nil {
		t.Fatal(err)
	}
	var on shardmesh.ShardSet
	first := uint16(s.seen % soakShards)
	on.Add(first)
	on.Add((first + 1 + uint16(s.seen/soakShards%(soakShards-1))) % soakShards)
	s.seen++
	n := &soakNode{relayNode: relayNode{node: sn, tracker: s.trackers[sn.Index],
		topics: map[uint16]*pubsub.Topic{}, subs: map[uint16]*pubsub.Subscription{}}, shards: on}
	cfg := relay.WakupmPreset()
	cfg.Seed = uint64(sn.Index + 1)
	n.mgr, err = peermanager.NewManager(sn.Host, peermanager.WithConfig(cfg), peermanager.WithTracker(n.tracker),
		peermanager.WithDiscoverer(s.dir), peermanager.WithBookOptions(book.WithCapacity(soakBookCap)))
	if err != nil {
		t.Fatal(err)
	}
	for sh := range on.All() {
		n.join(t, shardmesh.ClusterTWN, sh)
	}
	if err := n.mgr.Start(); err != nil {
		t.Fatal(err)
	}
	s.dir.set(sn.ID(), sn.Host.Addrs(), on)
	s.live = append(s.live, n)
}

// wave: soakChurn random live nodes leave, as many new ones join.
func (s *soakNet) wave() {
	for range soakChurn {
		i := s.rng.IntN(len(s.live))
		n := s.live[i]
		s.live = append(s.live[:i], s.live[i+1:]...)
		s.leave(n)
	}
	for range soakChurn {
		s.join()
	}
}

func (s *soakNet) leave(n *soakNode) {
	s.dir.remove(n.node.ID())
	if err := n.mgr.Close(); err != nil {
		s.t.Fatal(err)
	}
	if err := n.node.Close(); err != nil {
		s.t.Fatal(err)
	}
	delete(s.trackers, n.node.Index)
}

func (s *soakNet) closeAll() {
	for _, n := range s.live {
		if err := n.mgr.Close(); err != nil {
			s.t.Error(err)
		}
	}
}

// waitHealthy polls every second until every live node is sufficiently
// healthy on all its shards and returns how long that took; it fails the
// test if that takes the whole minute.
func (s *soakNet) waitHealthy(minute int) time.Duration {
	start := time.Now()
	for {
		sick := 0
		for _, n := range s.live {
			if !n.healthy() {
				sick++
			}
		}
		if sick == 0 {
			return time.Since(start)
		}
		if time.Since(start) > 55*time.Second {
			for _, n := range s.live {
				if !n.healthy() {
					s.t.Errorf("minute %d: node %d not healthy: %+v", minute, n.node.Index, n.mgr.Snapshot().Shards)
				}
			}
			s.t.FailNow()
		}
		time.Sleep(time.Second)
	}
}

// sample returns the per-node maxima of the Manager's footprint, book
// records and tracked peers over the live nodes.
func (s *soakNet) sample() (worst relay.Footprint, records, tracked int) {
	for _, n := range s.live {
		snap := n.mgr.Snapshot()
		worst = maxFootprint(worst, snap.Footprint)
		records = max(records, snap.BookSize)
		tracked = max(tracked, n.tracker.TrackedPeers())
	}
	return worst, records, tracked
}

func maxFootprint(a, b relay.Footprint) relay.Footprint {
	return relay.Footprint{BookSlots: max(a.BookSlots, b.BookSlots), PeerStates: max(a.PeerStates, b.PeerStates),
		Dials: max(a.Dials, b.Dials), DialingIPs: max(a.DialingIPs, b.DialingIPs), Queue: max(a.Queue, b.Queue),
		Static: max(a.Static, b.Static)}
}
