package shardmesh

import (
	"cmp"
	"slices"

	"github.com/wakupm/wakupm/peerid"
)

// Health returns shard s's level; Unhealthy if we have not joined it.
func (t *Tracker) Health(s Shard) Health {
	t.mu.Lock()
	defer t.mu.Unlock()
	if si, ok := t.shardIdx[s]; ok && t.shards[si].joined {
		return t.shards[si].health
	}
	return Unhealthy
}

// ShardHealth returns the state of shard s and whether we have joined it.
func (t *Tracker) ShardHealth(s Shard) (ShardHealth, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	si, ok := t.shardIdx[s]
	if !ok || !t.shards[si].joined {
		return ShardHealth{Shard: s}, false
	}
	return t.shardHealth(si), true
}

// MeshPeers returns the peers in our mesh for shard s, in no particular
// order; nil if we have not joined s.
func (t *Tracker) MeshPeers(s Shard) []peerid.ID {
	return t.AppendMeshPeers(nil, s)
}

// AppendMeshPeers appends the peers in our mesh for shard s to dst.
func (t *Tracker) AppendMeshPeers(dst []peerid.ID, s Shard) []peerid.ID {
	t.mu.Lock()
	defer t.mu.Unlock()
	si, ok := t.shardIdx[s]
	if !ok {
		return dst
	}
	for _, pi := range t.shards[si].members {
		dst = append(dst, t.peers[pi].id)
	}
	return dst
}

// InMesh reports whether p is in our mesh for shard s.
func (t *Tracker) InMesh(p peerid.ID, s Shard) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	pi, okPeer := t.peerIdx[p]
	si, okShard := t.shardIdx[s]
	if !okPeer || !okShard {
		return false
	}
	_, ok := t.mesh[meshKey{pi, si}]
	return ok
}

// AppendPeerShards appends to dst the shards whose mesh holds p, for
// example to check before a disconnect which shards would lose a mesh peer.
func (t *Tracker) AppendPeerShards(dst []Shard, p peerid.ID) []Shard {
	t.mu.Lock()
	defer t.mu.Unlock()
	pi, ok := t.peerIdx[p]
	if !ok {
		return dst
	}
	for _, si := range t.peers[pi].shards {
		dst = append(dst, t.shards[si].shard)
	}
	return dst
}

// Snapshot returns the state of every joined shard, ordered by cluster and
// index. It is what a metrics scrape or a REST endpoint reads.
func (t *Tracker) Snapshot() []ShardHealth {
	return t.AppendSnapshot(nil)
}

// AppendSnapshot appends the state of every joined shard to dst, ordered by
// cluster and index, and returns the extended slice.
func (t *Tracker) AppendSnapshot(dst []ShardHealth) []ShardHealth {
	t.mu.Lock()
	start := len(dst)
	for si := range t.shards {
		if t.shards[si].joined {
			dst = append(dst, t.shardHealth(int32(si)))
		}
	}
	t.mu.Unlock()
	slices.SortFunc(dst[start:], func(a, b ShardHealth) int {
		return cmp.Or(cmp.Compare(a.Shard.Cluster, b.Shard.Cluster), cmp.Compare(a.Shard.Index, b.Shard.Index))
	})
	return dst
}

// NodeHealth summarises the joined shards: the weakest level and how many
// shards are at each level.
func (t *Tracker) NodeHealth() NodeHealth {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := NodeHealth{
		Shards:              t.joined,
		Unhealthy:           t.levels[Unhealthy],
		MinimallyHealthy:    t.levels[MinimallyHealthy],
		SufficientlyHealthy: t.levels[SufficientlyHealthy],
	}
	switch {
	case t.joined == 0 || n.Unhealthy > 0:
		n.Health = Unhealthy
	case n.MinimallyHealthy > 0:
		n.Health = MinimallyHealthy
	default:
		n.Health = SufficientlyHealthy
	}
	return n
}

// TrackedPeers returns the number of peers the Tracker holds state for:
// mesh peers, and peers whose direction or announcements it keeps.
func (t *Tracker) TrackedPeers() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.peerIdx)
}

// Stats returns the event counters.
func (t *Tracker) Stats() TrackerStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

func (t *Tracker) shardHealth(si int32) ShardHealth {
	st := &t.shards[si]
	return ShardHealth{
		Shard:             st.shard,
		MeshPeers:         len(st.members),
		OutboundMeshPeers: st.outbound,
		LowScoreMeshPeers: st.lowScore,
		Health:            st.health,
	}
}
