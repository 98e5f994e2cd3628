package peermanager

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/shardmesh"
)

// diagnose explains an empty selection. It runs only when nothing was
// returned, reads the same buckets as the selection and, to tell "nobody
// serves the protocol" from "nobody serves it on this shard", probes each
// shard's bucket of the protocol: O(shards), never O(book).
func (c *SelectorCore) diagnose(ref ProtocolRef, shard shardmesh.Shard, req *Request, now time.Time) *SelectionError {
	e := &SelectionError{Protocol: c.protos[ref].id, Shard: shard}
	consider := func(p *Peer, id peer.ID) {
		e.Candidates++
		switch {
		case req.excludes(id):
			e.Excluded++
		case c.coolingDown(id, ref, now):
			e.CoolingDown++
			e.retryAt(c.cooldown[peerProto{id, ref}])
		case p != nil && p.connectedness != Connected && p.InBackoff(now):
			e.InBackoff++
			e.retryAt(p.backoffUntil)
		case c.cfg.ConnectedOnly && (p == nil || p.connectedness != Connected):
			e.NotConnected++
		}
	}
	sets := [4]PeerSet{c.book.Peers(ref, shard.Index, true), c.book.Peers(ref, shard.Index, false)}
	if c.cfg.UnknownShards != UnknownShardsNever {
		sets[2], sets[3] = c.book.PeersWithUnknownShards(ref, true), c.book.PeersWithUnknownShards(ref, false)
	}
	for _, s := range sets {
		for i := range s.Len() {
			p := s.At(i)
			consider(p, p.id)
		}
	}
	if req.Policy == PolicyPinnedFirst || (req.Policy == PolicyDefault && c.protos[ref].policy.Policy == PolicyPinnedFirst) {
		for _, id := range c.protos[ref].policy.Pinned {
			if p := c.book.Get(id); !indexedOn(p, ref, shard.Index) {
				consider(p, id) // not already counted from the buckets
			}
		}
	}
	rest := e.Candidates - e.Excluded
	switch {
	case e.Candidates == 0 && c.anyPeerSupports(ref):
		e.Reason = ErrNoPeerOnShard
	case e.Candidates == 0:
		e.Reason = ErrNoPeerSupportsProtocol
	case rest == 0:
		e.Reason = ErrAllExcluded
	case e.CoolingDown+e.InBackoff == rest:
		e.Reason = ErrAllInBackoff
	default:
		e.Reason = ErrNoConnectedPeer
	}
	return e
}

func (e *SelectionError) retryAt(t time.Time) {
	if e.RetryAt.IsZero() || t.Before(e.RetryAt) {
		e.RetryAt = t
	}
}

// anyPeerSupports reports whether any peer of our cluster supports ref, on
// any shard or with unknown shards.
func (c *SelectorCore) anyPeerSupports(ref ProtocolRef) bool {
	b := c.book
	if b.PeersWithUnknownShards(ref, true).Len() > 0 || b.PeersWithUnknownShards(ref, false).Len() > 0 {
		return true
	}
	for s := range uint16(shardmesh.ShardsPerCluster) {
		if b.byShard[s] == nil {
			continue
		}
		if pair := &b.byShard[s][ref]; len(pair[0].refs) > 0 || len(pair[1].refs) > 0 {
			return true
		}
	}
	return false
}

// indexedOn reports whether p sits in the (ref, shard) buckets.
func indexedOn(p *Peer, ref ProtocolRef, shard uint16) bool {
	return p != nil && p.at.indexed && !p.at.unknownShards && p.at.mask.has(ref) && p.at.shards.Contains(shard)
}
