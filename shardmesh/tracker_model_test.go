package shardmesh

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wakupm/wakupm/peerid"
)

// trackerModel is the obvious, slow implementation of the tracker's semantics:
// maps of sets, recomputed from scratch on every query.
type trackerModel struct {
	th      Thresholds
	minimum float64
	joined  map[Shard]bool
	mesh    map[Shard]map[peerid.ID]bool
	known   map[peerid.ID]bool
	out     map[peerid.ID]bool
	score   map[peerid.ID]float64
}

func newTrackerModel() *trackerModel {
	return &trackerModel{
		th: DefaultThresholds, minimum: DefaultScoreThreshold,
		joined: map[Shard]bool{}, mesh: map[Shard]map[peerid.ID]bool{},
		known: map[peerid.ID]bool{}, out: map[peerid.ID]bool{}, score: map[peerid.ID]float64{},
	}
}

func (m *trackerModel) apply(e trackerEvent) {
	switch e.kind {
	case "join":
		if !m.joined[e.shard] {
			m.joined[e.shard] = true
			m.mesh[e.shard] = map[peerid.ID]bool{}
		}
	case "leave":
		delete(m.joined, e.shard)
		delete(m.mesh, e.shard)
	case "graft":
		if m.joined[e.shard] {
			m.known[e.peer] = true
			m.mesh[e.shard][e.peer] = true
		}
	case "prune":
		delete(m.mesh[e.shard], e.peer)
	case "gone":
		for _, set := range m.mesh {
			delete(set, e.peer)
		}
		delete(m.known, e.peer)
		delete(m.out, e.peer)
		delete(m.score, e.peer)
	case "dir":
		m.known[e.peer] = true
		m.out[e.peer] = e.dir == Outbound
	case "score":
		if m.known[e.peer] {
			m.score[e.peer] = e.score
		}
	}
}

func (m *trackerModel) snapshot() []ShardHealth {
	var out []ShardHealth
	for s := range m.joined {
		h := ShardHealth{Shard: s, MeshPeers: len(m.mesh[s])}
		for p := range m.mesh[s] {
			if m.out[p] {
				h.OutboundMeshPeers++
			}
			if sc, ok := m.score[p]; ok && sc < m.minimum {
				h.LowScoreMeshPeers++
			}
		}
		h.Health = m.th.Level(h.CountedPeers())
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b ShardHealth) int {
		return int(a.Shard.Cluster)<<16 + int(a.Shard.Index) - (int(b.Shard.Cluster)<<16 + int(b.Shard.Index))
	})
	return out
}

// TestTrackerMatchesModel replays long random event sequences on the tracker
// and on the trackerModel and compares their snapshots and mesh sets after every
// event, and checks the tracker's internal indexes.
func TestTrackerMatchesModel(t *testing.T) {
	const steps = 4000
	for seed := range uint64(8) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			tr, _ := NewTracker()
			m := newTrackerModel()
			shards := []Shard{{1, 0}, {1, 1}, {1, 2}, {2, 5}}
			peers := make([]peerid.ID, 12)
			for i := range peers {
				peers[i] = peerid.ID(fmt.Sprintf("p%02d", i))
			}
			for i := range steps {
				e := randomTrackerEvent(rng, shards, peers)
				e.apply(tr)
				m.apply(e)
				if got, want := tr.Snapshot(), m.snapshot(); !slices.Equal(got, want) {
					t.Fatalf("step %d %v:\n got %+v\nwant %+v", i, e, got, want)
				}
				for _, s := range shards {
					got := tr.MeshPeers(s)
					slices.Sort(got)
					var want []peerid.ID
					for p := range m.mesh[s] {
						want = append(want, p)
					}
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Fatalf("step %d %v: MeshPeers(%v) = %v, want %v", i, e, s, got, want)
					}
				}
				if i%50 == 0 {
					checkInvariants(t, tr)
				}
			}
			checkInvariants(t, tr)
		})
	}
}

func randomTrackerEvent(rng *rand.Rand, shards []Shard, peers []peerid.ID) trackerEvent {
	p := peers[rng.IntN(len(peers))]
	s := shards[rng.IntN(len(shards))]
	switch r := rng.IntN(100); {
	case r < 4:
		return evJoin(s)
	case r < 6:
		return evLeave(s)
	case r < 50:
		return evGraft(p, s)
	case r < 80:
		return evPrune(p, s)
	case r < 85:
		return evGone(p)
	case r < 92:
		if rng.IntN(2) == 0 {
			return evOutbound(p)
		}
		return evInbound(p)
	default:
		return evScore(p, float64(rng.IntN(3000)-2000))
	}
}
