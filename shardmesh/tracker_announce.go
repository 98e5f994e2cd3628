package shardmesh

import "github.com/wakupm/wakupm/peerid"

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
//
// Announcements are remote input that gossipsub hands over before its own
// subscription filter, on its event loop: the Tracker keeps only our
// cluster's shards, in a fixed-size ShardSet per peer (constant time and
// memory per announcement, whatever the peer sends), and counts the others
// in TrackerStats.ForeignClusterAnnouncements.

// HeardFrom records that p speaks gossipsub with us: we opened a stream to
// it (Announce implies it too). Like Announce, it is not recorded for a
// new peer when the Tracker holds WithMaxPeers peers already.
func (t *Tracker) HeardFrom(p peerid.ID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if pi, ok := t.peerIndexBounded(p); ok {
		t.peers[pi].heard = true
	}
}

// Announce records that p announced, in gossipsub, that it subscribed to
// (or, with subscribed false, left) shard s's topic. Shards of another
// cluster than ours (WithCluster) are counted and ignored, and so are the
// announcements of a new peer while the Tracker holds WithMaxPeers peers
// (TrackerStats.UnrecordedPeers): the peer then has no evidence (Announced
// says not heard), which a reader treats as it treats a silent peer.
func (t *Tracker) Announce(p peerid.ID, s Shard, subscribed bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	pi, ok := t.peerIndexBounded(p)
	if !ok {
		return
	}
	ps := &t.peers[pi]
	ps.heard = true
	want := s.Cluster
	switch {
	case t.clusterKnown:
		want = t.cluster
	case ps.clusterSet:
		want = ps.announcedCluster
	}
	if s.Cluster != want {
		t.stats.ForeignClusterAnnouncements++
		return
	}
	if !ps.clusterSet || ps.announcedCluster != want {
		// Announcements kept before our cluster was known were of another.
		ps.clusterSet, ps.announcedCluster, ps.announced = true, want, ShardSet{}
	}
	if subscribed {
		ps.announced.Add(s.Index)
	} else {
		ps.announced.Remove(s.Index)
	}
}

// Announced returns the shards of cluster whose topics p announced in
// gossipsub, and whether p speaks gossipsub with us (HeardFrom). Until
// heard is true the shards say nothing; right after, an empty set may only
// mean that p's hello is still on its way. Asked for another cluster than
// the one it keeps (WithCluster), the Tracker has no evidence and returns
// heard false, so that a reader configured for another cluster does not
// take every peer for one that serves none of its shards.
func (t *Tracker) Announced(p peerid.ID, cluster uint16) (shards ShardSet, heard bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	pi, ok := t.peerIdx[p]
	if !ok || t.clusterKnown && cluster != t.cluster {
		return ShardSet{}, false
	}
	ps := &t.peers[pi]
	if ps.clusterSet && ps.announcedCluster == cluster {
		shards = ps.announced
	}
	return shards, ps.heard
}

// Cluster returns the cluster whose announcements the Tracker keeps, and
// false while it is not known yet (no WithCluster and no shard joined).
func (t *Tracker) Cluster() (cluster uint16, known bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cluster, t.clusterKnown
}
