package shardmesh

import (
	"iter"

	"github.com/wakupm/wakupm/peerid"
)

// PeerGone records that peer p is no longer a gossipsub peer (its last
// pubsub stream closed, usually a disconnect). Gossipsub then drops p from
// every mesh without a Prune; so does the Tracker, and it forgets p's
// direction, score and announcements. A shell also calls it when p's last
// connection closes, since a peer that never completed a gossipsub stream
// with us is never reported gone by gossipsub. Unknown peers are ignored.
func (t *Tracker) PeerGone(p peerid.ID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Events++
	pi, ok := t.peerIdx[p]
	if !ok {
		return
	}
	ps := &t.peers[pi]
	for n := len(ps.shards); n > 0; n = len(ps.shards) {
		si := ps.shards[n-1]
		t.unmesh(pi, si, t.mesh[meshKey{pi, si}])
		t.refresh(si)
	}
	delete(t.peerIdx, p)
	*ps = peerState{shards: ps.shards[:0]} // keep the list's capacity
	t.freePeers = append(t.freePeers, pi)
}

// SetDirection records the direction of our connection to p: Outbound if
// we dialled it. It counts towards OutboundMeshPeers on every shard whose mesh
// holds p. The tracker learns of a peer through SetDirection or Graft; when
// it holds WithMaxPeers peers already, SetDirection of a new peer is not
// recorded (TrackerStats.UnrecordedPeers).
func (t *Tracker) SetDirection(p peerid.ID, dir Direction) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Events++
	pi, ok := t.peerIndexBounded(p)
	if !ok {
		return
	}
	ps := &t.peers[pi]
	out := dir == Outbound
	if ps.outbound == out {
		return
	}
	ps.outbound = out
	delta := -1
	if out {
		delta = 1
	}
	for _, si := range ps.shards {
		t.shards[si].outbound += delta
	}
}

// SetScore records p's gossipsub score. A mesh peer scoring below the score
// threshold stops counting towards its shards' health until its score
// recovers. Scores of peers the tracker does not know (not connected, or
// only retained by gossipsub's score cache) are ignored, and so is NaN.
func (t *Tracker) SetScore(p peerid.ID, score float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.setScore(p, score)
}

// SetScores is SetScore for a batch, under one lock: pass maps.All(m) for
// a map[peerid.ID]float64, or an iterator over a shell's own map (gossipsub's
// periodic score inspection) so that no copy is made. scores runs with the
// Tracker locked: it must not call the Tracker.
func (t *Tracker) SetScores(scores iter.Seq2[peerid.ID, float64]) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for p, score := range scores {
		t.setScore(p, score)
	}
}

func (t *Tracker) setScore(p peerid.ID, score float64) {
	t.stats.Events++
	pi, ok := t.peerIdx[p]
	if !ok || score != score { // NaN carries no information
		return
	}
	ps := &t.peers[pi]
	low := score < t.cfg.scoreThreshold
	if ps.lowScore == low {
		return
	}
	ps.lowScore = low
	delta := -1
	if low {
		delta = 1
	}
	for _, si := range ps.shards {
		t.shards[si].lowScore += delta
		t.refresh(si)
	}
}

// peerIndexBounded is peerIndex for events that do not put p in a mesh: a
// new peer is created only below the WithMaxPeers cap, so that peers that
// connect, announce and never mesh cannot grow the Tracker without bound.
// Mesh membership (Graft) is always recorded.
func (t *Tracker) peerIndexBounded(p peerid.ID) (int32, bool) {
	if pi, ok := t.peerIdx[p]; ok {
		return pi, true
	}
	if len(t.peerIdx) >= t.cfg.maxPeers {
		t.stats.UnrecordedPeers++
		return 0, false
	}
	return t.peerIndex(p), true
}

// peerIndex returns p's dense index, creating it (reusing a freed slot and
// its shard list's capacity) if needed.
func (t *Tracker) peerIndex(p peerid.ID) int32 {
	if pi, ok := t.peerIdx[p]; ok {
		return pi
	}
	var pi int32
	if n := len(t.freePeers); n > 0 {
		pi = t.freePeers[n-1]
		t.freePeers = t.freePeers[:n-1]
	} else {
		pi = int32(len(t.peers))
		t.peers = append(t.peers, peerState{})
	}
	t.peers[pi].id = p
	t.peerIdx[p] = pi
	return pi
}
