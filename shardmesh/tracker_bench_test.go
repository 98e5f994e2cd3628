package shardmesh

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wakupm/wakupm/peerid"
)

const (
	benchPeers  = 1000
	benchShards = 100
	benchEvents = 1 << 20
	benchMeshHi = 12 // per-shard mesh ceiling of the generated workload
)

// benchWorkload is a valid cyclic event stream over 1k peers x 100 shards:
// about 45% grafts, 45% prunes and 10% disconnects, with per-shard meshes of
// up to 12 peers as gossipsub keeps them, ending with every peer gone so that
// replaying it from the start finds the same (empty-mesh) state again.
type benchWorkload struct {
	shards []Shard
	peers  []peerid.ID
	events []trackerEvent
}

func newBenchWorkload() *benchWorkload {
	rng := rand.New(rand.NewPCG(1, 1))
	w := &benchWorkload{shards: make([]Shard, benchShards), peers: make([]peerid.ID, benchPeers)}
	for i := range w.shards {
		w.shards[i] = Shard{Cluster: 1, Index: uint16(i)}
	}
	for i := range w.peers {
		w.peers[i] = peerid.ID(fmt.Sprintf("12D3KooWbenchpeer%06d", i))
	}
	mesh := make([][]int, benchShards) // peer indexes per shard
	in := func(s, p int) int {
		for i, q := range mesh[s] {
			if q == p {
				return i
			}
		}
		return -1
	}
	w.events = make([]trackerEvent, 0, benchEvents+benchPeers)
	for len(w.events) < benchEvents {
		s := rng.IntN(benchShards)
		switch r := rng.IntN(100); {
		case r < 45 && len(mesh[s]) < benchMeshHi:
			p := rng.IntN(benchPeers)
			if in(s, p) < 0 {
				mesh[s] = append(mesh[s], p)
				w.events = append(w.events, evGraft(w.peers[p], w.shards[s]))
			}
		case r < 90 && len(mesh[s]) > 0:
			i := rng.IntN(len(mesh[s]))
			p := mesh[s][i]
			mesh[s] = append(mesh[s][:i], mesh[s][i+1:]...)
			w.events = append(w.events, evPrune(w.peers[p], w.shards[s]))
		case r >= 90:
			p := rng.IntN(benchPeers)
			for s := range mesh {
				if i := in(s, p); i >= 0 {
					mesh[s] = append(mesh[s][:i], mesh[s][i+1:]...)
				}
			}
			w.events = append(w.events, evGone(w.peers[p]))
		}
	}
	for _, p := range w.peers {
		w.events = append(w.events, evGone(p))
	}
	return w
}

func (w *benchWorkload) tracker(b *testing.B) *Tracker {
	tr, err := NewTracker()
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range w.shards {
		tr.Join(s)
	}
	return tr
}

// run applies events[i mod len] for i in [from, from+n) with direct method
// calls (no interface dispatch, no closure).
func (w *benchWorkload) run(tr *Tracker, from, n int) {
	evs := w.events
	for i := from; i < from+n; i++ {
		e := &evs[i%len(evs)]
		switch e.kind[0] {
		case 'g':
			if e.kind[1] == 'r' {
				tr.Graft(e.peer, e.shard)
			} else {
				tr.PeerGone(e.peer)
			}
		case 'p':
			tr.Prune(e.peer, e.shard)
		}
	}
}

// BenchmarkTrackerIngest measures event ingestion by the core (graft, prune,
// disconnect over 1k peers x 100 shards) after one warm-up pass of the
// cyclic workload, with and without a subscriber that never reads.
//
//	go test -run '^$' -bench TrackerIngest -benchmem -cpu 1 ./shardmesh/
func BenchmarkTrackerIngest(b *testing.B) {
	w := newBenchWorkload()
	for _, stalled := range []bool{false, true} {
		b.Run(fmt.Sprintf("stalledSubscriber=%v", stalled), func(b *testing.B) {
			tr := w.tracker(b)
			if stalled {
				defer tr.Subscribe().Close()
			}
			w.run(tr, 0, len(w.events)) // warm-up: tables reach working size
			b.ReportAllocs()
			b.ResetTimer()
			w.run(tr, 0, b.N)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkTrackerAnnounce measures one SUBSCRIBE and one UNSUBSCRIBE from a
// peer that has already announced held distinct shards of 100 clusters
// (ours among them).
//
//	go test -run '^$' -bench TrackerAnnounce -benchmem ./shardmesh/
func BenchmarkTrackerAnnounce(b *testing.B) {
	for _, held := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("held=%d", held), func(b *testing.B) {
			tr, err := NewTracker()
			if err != nil {
				b.Fatal(err)
			}
			for i := range held {
				tr.Announce("attacker", announceSpread(i), true)
			}
			s := announceSpread(held + 1)
			b.ReportAllocs()
			for b.Loop() {
				tr.Announce("attacker", s, true)
				tr.Announce("attacker", s, false)
			}
		})
	}
}
