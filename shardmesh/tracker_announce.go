package shardmesh

import (
	"slices"

	"github.com/wakupm/wakupm/peerid"
)

// What peers say they subscribe to, in gossipsub itself. A peer's ENR and
// metadata advertise shards; its gossipsub announcements say which topics
// it has joined, and only those can ever mesh with us. The first gossipsub
// RPC a peer sends on a new stream is its hello, listing every topic it is
// subscribed to (go-libp2p-pubsub getHelloPacket), and later RPCs carry
// SUBSCRIBE/UNSUBSCRIBE deltas. A peer in no topic sends no subscription
// at all, so an empty list only means something once the peer has had
// time to send its hello: the tracker has no clock, and leaves that
// judgement to its reader (peermanager's GossipsubTopicsGrace). The shell
// feeds announcements in from RawTracer.RecvRPC and marks the peer as
// speaking gossipsub when a stream to it opens; PeerGone forgets both.

// HeardFrom records that p speaks gossipsub with us: we opened a stream to
// it (Announce implies it too).
func (t *Tracker) HeardFrom(p peerid.ID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.peers[t.peerIndex(p)].heard = true
}

// Announce records that p announced, in gossipsub, that it subscribed to
// (or, with subscribed false, left) shard s's topic.
func (t *Tracker) Announce(p peerid.ID, s Shard, subscribed bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := &t.peers[t.peerIndex(p)]
	ps.heard = true
	i := slices.Index(ps.announced, s)
	switch {
	case subscribed && i < 0:
		ps.announced = append(ps.announced, s)
	case !subscribed && i >= 0:
		last := len(ps.announced) - 1
		ps.announced[i] = ps.announced[last]
		ps.announced = ps.announced[:last]
	}
}

// Announced returns the shards of cluster whose topics p announced in
// gossipsub, and whether p speaks gossipsub with us (HeardFrom). Until
// heard is true the shards say nothing; right after, an empty set may only
// mean that p's hello is still on its way.
func (t *Tracker) Announced(p peerid.ID, cluster uint16) (shards ShardSet, heard bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	pi, ok := t.peerIdx[p]
	if !ok {
		return ShardSet{}, false
	}
	ps := &t.peers[pi]
	for _, s := range ps.announced {
		if s.Cluster == cluster {
			shards.Add(s.Index)
		}
	}
	return shards, ps.heard
}
