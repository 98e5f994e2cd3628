package shardmesh

import (
	"sync"

	"github.com/wakupm/wakupm/peerid"
)

// Tracker knows, per shard and at every moment, who is in our gossipsub mesh
// and how healthy that mesh is. It is a pure state machine fed by events
// (Join, Leave, Graft, Prune, PeerGone, SetDirection, SetScore, Announce):
// it reads no clock, starts no goroutine and does no I/O. A shell feeds it
// from the node's gossipsub (package shardmesh/gossipsub does for
// go-libp2p-pubsub v0.19); tests and simulators can feed it directly.
//
// Concurrency: all methods are safe for concurrent use. One mutex guards the
// state; every event does O(1) work (PeerGone, SetDirection and SetScore do
// O(k) for a peer meshed on k of our shards) and allocates nothing once the
// peer and shard tables have grown to their working size, so the gossipsub
// event loop that calls the shell never waits on more than another event or
// a short query. Health changes are published to subscribers (Subscribe)
// without ever blocking on them.
type Tracker struct {
	mu  sync.Mutex
	cfg config

	// Shards and peers get dense indexes so that mesh membership is a pair of
	// small integers; indexes of departed peers are reused.
	shardIdx  map[Shard]int32
	shards    []shardState
	peerIdx   map[peerid.ID]int32
	peers     []peerState
	freePeers []int32

	// mesh maps each (peer, shard) mesh link to its positions in the shard's
	// member list and in the peer's shard list, for O(1) removal.
	mesh map[meshKey]meshSlot

	levels [SufficientlyHealthy + 1]int // joined shards per level
	joined int
	// cluster is the cluster whose announcements are kept (clusterKnown):
	// WithCluster, or the cluster of the first shard joined.
	cluster      uint16
	clusterKnown bool
	stats        TrackerStats
	subs         []*Subscription
}

type meshKey struct{ peer, shard int32 }

type meshSlot struct{ inShard, inPeer int32 }

type shardState struct {
	shard    Shard
	joined   bool
	health   Health
	members  []int32 // peer indexes in our mesh
	outbound int     // members we dialled
	lowScore int     // members below the score threshold
}

type peerState struct {
	id       peerid.ID
	outbound bool
	lowScore bool
	shards   []int32 // shard indexes whose mesh holds this peer
	// heard: a gossipsub RPC came from the peer (the first is its hello,
	// with every topic it is subscribed to); announced: the shards of
	// announcedCluster whose topics it is subscribed to, by its own
	// announcements (tracker_announce.go). A fixed-size set: what a peer
	// announces costs O(1) and 130 bytes however much it sends.
	heard            bool
	clusterSet       bool // announcedCluster is set
	announcedCluster uint16
	announced        ShardSet
}

// TrackerStats counts events, including those the Tracker ignored because
// they did not fit its state. Ignored events are expected in small numbers
// (gossipsub prunes every mesh peer right after Leave, for instance); they
// never change health.
type TrackerStats struct {
	// Events is the number of events applied or ignored.
	Events uint64
	// HealthChanges is the number of shard level changes, joins and leaves
	// included.
	HealthChanges uint64
	// IgnoredGrafts: grafts on a shard we have not joined.
	IgnoredGrafts uint64
	// DuplicateGrafts: grafts of a peer already in the shard's mesh.
	DuplicateGrafts uint64
	// IgnoredPrunes: prunes of a peer not in the shard's mesh, or on a shard
	// we have not joined (or have just left).
	IgnoredPrunes uint64
	// IgnoredJoins and IgnoredLeaves: a Join of a joined shard, a Leave of a
	// shard not joined.
	IgnoredJoins, IgnoredLeaves uint64
	// ForeignTopics: tracer callbacks for topics that are not static-sharding
	// topics (/waku/2/rs/<cluster>/<shard>); counted and otherwise ignored.
	ForeignTopics uint64
	// ForeignClusterAnnouncements: shards of another cluster than ours that
	// a peer announced (Announce); not recorded.
	ForeignClusterAnnouncements uint64
	// UnrecordedPeers: HeardFrom, Announce or SetDirection events of a new
	// peer, not recorded because the Tracker held WithMaxPeers peers.
	UnrecordedPeers uint64
}

// NewTracker returns an empty Tracker: no shard joined, no peer known.
func NewTracker(opts ...Option) (*Tracker, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	return &Tracker{
		cfg:          cfg,
		cluster:      cfg.cluster,
		clusterKnown: cfg.clusterSet,
		shardIdx:     make(map[Shard]int32),
		peerIdx:      make(map[peerid.ID]int32),
		mesh:         make(map[meshKey]meshSlot),
	}, nil
}

// Thresholds returns the health thresholds in force.
func (t *Tracker) Thresholds() Thresholds { return t.cfg.thresholds }

// ScoreThreshold returns the score below which mesh peers are not counted.
func (t *Tracker) ScoreThreshold() float64 { return t.cfg.scoreThreshold }

// Join records that we subscribed to shard s's topic. The shard starts
// Unhealthy with an empty mesh; subscribers are told. Joining a joined shard
// is ignored.
func (t *Tracker) Join(s Shard) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Events++
	si := t.shardIndex(s)
	st := &t.shards[si]
	if st.joined {
		t.stats.IgnoredJoins++
		return
	}
	st.joined = true
	if !t.clusterKnown {
		t.cluster, t.clusterKnown = s.Cluster, true
	}
	st.health = t.cfg.thresholds.Level(0)
	t.joined++
	t.levels[st.health]++
	t.stats.HealthChanges++
	t.notify(si)
}

// Leave records that we unsubscribed from shard s: its mesh is emptied, it
// no longer counts in NodeHealth, and subscribers are told (Joined false).
// Leaving a shard not joined is ignored.
func (t *Tracker) Leave(s Shard) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Events++
	si, ok := t.shardIdx[s]
	if !ok || !t.shards[si].joined {
		t.stats.IgnoredLeaves++
		return
	}
	st := &t.shards[si]
	for _, pi := range st.members {
		key := meshKey{pi, si}
		t.removeFromPeer(pi, si, t.mesh[key].inPeer)
		delete(t.mesh, key)
	}
	st.members = st.members[:0]
	st.outbound, st.lowScore = 0, 0
	t.levels[st.health]--
	t.joined--
	st.joined = false
	st.health = Unhealthy
	t.stats.HealthChanges++
	t.notify(si)
}

// Graft records that peer p entered our mesh for shard s. Grafts on a shard
// we have not joined, and grafts of a peer already meshed there, are ignored.
func (t *Tracker) Graft(p peerid.ID, s Shard) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Events++
	si, ok := t.shardIdx[s]
	if !ok || !t.shards[si].joined {
		t.stats.IgnoredGrafts++
		return
	}
	pi := t.peerIndex(p)
	key := meshKey{pi, si}
	if _, dup := t.mesh[key]; dup {
		t.stats.DuplicateGrafts++
		return
	}
	st, ps := &t.shards[si], &t.peers[pi]
	t.mesh[key] = meshSlot{inShard: int32(len(st.members)), inPeer: int32(len(ps.shards))}
	st.members = append(st.members, pi)
	ps.shards = append(ps.shards, si)
	if ps.outbound {
		st.outbound++
	}
	if ps.lowScore {
		st.lowScore++
	}
	t.refresh(si)
}

// Prune records that peer p left our mesh for shard s. A prune of a peer not
// in that mesh is ignored.
func (t *Tracker) Prune(p peerid.ID, s Shard) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Events++
	pi, okPeer := t.peerIdx[p]
	si, okShard := t.shardIdx[s]
	if !okPeer || !okShard {
		t.stats.IgnoredPrunes++
		return
	}
	slot, ok := t.mesh[meshKey{pi, si}]
	if !ok {
		t.stats.IgnoredPrunes++
		return
	}
	t.unmesh(pi, si, slot)
	t.refresh(si)
}

// ForeignTopic records that gossipsub reported an event on a topic that is
// not a static-sharding topic (/waku/2/rs/<cluster>/<shard>): a shell calls
// it instead of the event, and Stats counts it in ForeignTopics.
func (t *Tracker) ForeignTopic() {
	t.mu.Lock()
	t.stats.Events++
	t.stats.ForeignTopics++
	t.mu.Unlock()
}

// shardIndex returns s's dense index, creating it if needed.
func (t *Tracker) shardIndex(s Shard) int32 {
	if si, ok := t.shardIdx[s]; ok {
		return si
	}
	si := int32(len(t.shards))
	t.shards = append(t.shards, shardState{shard: s})
	t.shardIdx[s] = si
	return si
}

// unmesh removes the (pi, si) mesh link at slot, keeping counters right.
func (t *Tracker) unmesh(pi, si int32, slot meshSlot) {
	st, ps := &t.shards[si], &t.peers[pi]
	last := int32(len(st.members) - 1)
	if moved := st.members[last]; slot.inShard != last {
		st.members[slot.inShard] = moved
		k := meshKey{moved, si}
		m := t.mesh[k]
		m.inShard = slot.inShard
		t.mesh[k] = m
	}
	st.members = st.members[:last]
	t.removeFromPeer(pi, si, slot.inPeer)
	delete(t.mesh, meshKey{pi, si})
	if ps.outbound {
		st.outbound--
	}
	if ps.lowScore {
		st.lowScore--
	}
}

// removeFromPeer removes shard si, at position at, from peer pi's shard list.
func (t *Tracker) removeFromPeer(pi, si, at int32) {
	ps := &t.peers[pi]
	last := int32(len(ps.shards) - 1)
	if moved := ps.shards[last]; at != last {
		ps.shards[at] = moved
		k := meshKey{pi, moved}
		m := t.mesh[k]
		m.inPeer = at
		t.mesh[k] = m
	}
	ps.shards = ps.shards[:last]
}

// refresh recomputes shard si's level and tells subscribers if it changed.
func (t *Tracker) refresh(si int32) {
	st := &t.shards[si]
	if !st.joined {
		return
	}
	level := t.cfg.thresholds.Level(len(st.members) - st.lowScore)
	if level == st.health {
		return
	}
	t.levels[st.health]--
	t.levels[level]++
	st.health = level
	t.stats.HealthChanges++
	t.notify(si)
}
