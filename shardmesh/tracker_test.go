package shardmesh

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/wakupm/wakupm/peerid"
)

// Events of the tracker core, as data, so tests read as tables.
type trackerEvent struct {
	kind  string // join, leave, graft, prune, gone, dir, score
	peer  peerid.ID
	shard Shard
	dir   Direction
	score float64
}

func (e trackerEvent) apply(t *Tracker) {
	switch e.kind {
	case "join":
		t.Join(e.shard)
	case "leave":
		t.Leave(e.shard)
	case "graft":
		t.Graft(e.peer, e.shard)
	case "prune":
		t.Prune(e.peer, e.shard)
	case "gone":
		t.PeerGone(e.peer)
	case "dir":
		t.SetDirection(e.peer, e.dir)
	case "score":
		t.SetScore(e.peer, e.score)
	default:
		panic("unknown trackerEvent " + e.kind)
	}
}

func (e trackerEvent) String() string {
	return fmt.Sprintf("%s(%s,%d/%d)", e.kind, e.peer, e.shard.Cluster, e.shard.Index)
}

var (
	tsh0 = Shard{Cluster: 1, Index: 0}
	tsh1 = Shard{Cluster: 1, Index: 1}
	tsh2 = Shard{Cluster: 1, Index: 2}
)

func evJoin(s Shard) trackerEvent  { return trackerEvent{kind: "join", shard: s} }
func evLeave(s Shard) trackerEvent { return trackerEvent{kind: "leave", shard: s} }
func evGraft(p peerid.ID, s Shard) trackerEvent {
	return trackerEvent{kind: "graft", peer: p, shard: s}
}
func evPrune(p peerid.ID, s Shard) trackerEvent {
	return trackerEvent{kind: "prune", peer: p, shard: s}
}
func evGone(p peerid.ID) trackerEvent { return trackerEvent{kind: "gone", peer: p} }
func evOutbound(p peerid.ID) trackerEvent {
	return trackerEvent{kind: "dir", peer: p, dir: Outbound}
}
func evInbound(p peerid.ID) trackerEvent {
	return trackerEvent{kind: "dir", peer: p, dir: Inbound}
}
func evScore(p peerid.ID, v float64) trackerEvent {
	return trackerEvent{kind: "score", peer: p, score: v}
}
func evGrafts(s Shard, ps ...peerid.ID) []trackerEvent {
	var evs []trackerEvent
	for _, p := range ps {
		evs = append(evs, evGraft(p, s))
	}
	return evs
}

func evSeq(parts ...any) []trackerEvent {
	var out []trackerEvent
	for _, p := range parts {
		switch v := p.(type) {
		case trackerEvent:
			out = append(out, v)
		case []trackerEvent:
			out = append(out, v...)
		}
	}
	return out
}

func joinedAt(s Shard, h Health) ShardHealthChange {
	return ShardHealthChange{Shard: s, Joined: true, Health: h}
}
func leftShard(s Shard) ShardHealthChange { return ShardHealthChange{Shard: s, Health: Unhealthy} }

// TestTrackerTransitions drives the core through every transition and checks
// the final per-shard state, the counters, and the exact change sequence a
// subscriber reading after every trackerEvent sees.
func TestTrackerTransitions(t *testing.T) {
	cases := slices.Concat(
		trackerHealthLevelCases(),
		trackerIgnoredEventCases(),
		trackerPeerLifecycleCases(),
		trackerScoreCases(),
		trackerMembershipCases(),
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runTrackerCase(t, tc) })
	}
}

// runTrackerCase applies the events of tc one at a time, reading the
// subscription after each, and checks the outcome.
func runTrackerCase(t *testing.T, tc trackerCase) {
	tr, err := NewTracker(tc.opts...)
	if err != nil {
		t.Fatal(err)
	}
	sub := tr.Subscribe()
	defer sub.Close()
	var changes []ShardHealthChange
	for _, e := range tc.events {
		e.apply(tr)
		changes = sub.Next(changes)
		checkInvariants(t, tr)
	}
	if got := tr.Snapshot(); !slices.Equal(got, tc.want) {
		t.Errorf("Snapshot:\n got %+v\nwant %+v", got, tc.want)
	}
	if !slices.Equal(changes, tc.wantChanges) {
		t.Errorf("changes:\n got %+v\nwant %+v", changes, tc.wantChanges)
	}
	st := tr.Stats()
	if st.Events != uint64(len(tc.events)) {
		t.Errorf("Stats.Events = %d, want %d", st.Events, len(tc.events))
	}
	w := tc.wantStats
	gotIgnored := [...]uint64{st.IgnoredGrafts, st.DuplicateGrafts, st.IgnoredPrunes, st.IgnoredJoins, st.IgnoredLeaves}
	wantIgnored := [...]uint64{w.IgnoredGrafts, w.DuplicateGrafts, w.IgnoredPrunes, w.IgnoredJoins, w.IgnoredLeaves}
	if gotIgnored != wantIgnored {
		t.Errorf("ignored (grafts, duplicate grafts, prunes, joins, leaves) = %v, want %v", gotIgnored, wantIgnored)
	}
}

// checkInvariants cross-checks the indexes against each other: every mesh
// link is in both lists at the recorded positions, counters match.
func checkInvariants(t *testing.T, tr *Tracker) {
	t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	links := 0
	levels := [3]int{}
	joined := 0
	for si := range tr.shards {
		st := &tr.shards[si]
		out, low := 0, 0
		for pos, pi := range st.members {
			slot, ok := tr.mesh[meshKey{pi, int32(si)}]
			if !ok || slot.inShard != int32(pos) || tr.peers[pi].shards[slot.inPeer] != int32(si) {
				t.Fatalf("shard %v member %d at %d: slot %+v ok=%v", st.shard, pi, pos, slot, ok)
			}
			if tr.peers[pi].outbound {
				out++
			}
			if tr.peers[pi].lowScore {
				low++
			}
		}
		links += len(st.members)
		if out != st.outbound || low != st.lowScore {
			t.Fatalf("shard %v: outbound %d/%d low %d/%d", st.shard, st.outbound, out, st.lowScore, low)
		}
		if st.joined {
			joined++
			levels[st.health]++
			if want := tr.cfg.thresholds.Level(len(st.members) - low); st.health != want {
				t.Fatalf("shard %v health %v, want %v", st.shard, st.health, want)
			}
		} else if len(st.members) != 0 {
			t.Fatalf("shard %v not joined but has %d members", st.shard, len(st.members))
		}
	}
	if links != len(tr.mesh) {
		t.Fatalf("%d links in shard lists, %d in mesh index", links, len(tr.mesh))
	}
	peerLinks := 0
	for p, pi := range tr.peerIdx {
		if tr.peers[pi].id != p {
			t.Fatalf("peer index %d holds %q, want %q", pi, tr.peers[pi].id, p)
		}
		peerLinks += len(tr.peers[pi].shards)
	}
	if peerLinks != links || levels != tr.levels || joined != tr.joined {
		t.Fatalf("peer links %d (want %d), levels %v (want %v), joined %d (want %d)",
			peerLinks, links, tr.levels, levels, tr.joined, joined)
	}
}

func TestTrackerOptionsValidate(t *testing.T) {
	for _, th := range []Thresholds{{0, 4}, {3, 2}, {-1, 1}} {
		_, err := NewTracker(WithThresholds(th))
		var te *ThresholdsError
		if !errors.As(err, &te) || te.Thresholds != th {
			t.Errorf("WithThresholds(%+v): err = %v, want *ThresholdsError", th, err)
		}
	}
	if _, err := NewTracker(WithScoreThreshold(math.NaN())); err == nil {
		t.Errorf("WithScoreThreshold(NaN) accepted")
	}
	tr, err := NewTracker(WithThresholds(Thresholds{Minimal: 1, Sufficient: 1}), WithScoreThreshold(-5))
	if err != nil || tr.Thresholds() != (Thresholds{1, 1}) || tr.ScoreThreshold() != -5 {
		t.Errorf("valid options: %v %+v %v", err, tr.Thresholds(), tr.ScoreThreshold())
	}
}

func TestHealthString(t *testing.T) {
	for h, want := range map[Health]string{
		Unhealthy: "unhealthy", MinimallyHealthy: "minimally_healthy",
		SufficientlyHealthy: "sufficiently_healthy", Health(9): "Health(9)",
	} {
		if got := h.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", uint8(h), got, want)
		}
	}
	if !(Unhealthy < MinimallyHealthy && MinimallyHealthy < SufficientlyHealthy) {
		t.Errorf("levels are not ordered by health")
	}
}
