package selection

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// diagnose explains an empty selection. It runs only when nothing was
// returned, reads the same buckets as the selection and, to tell "nobody
// serves the protocol" from "nobody serves it on this shard", probes each
// shard's bucket of the protocol: O(shards), never O(book).
func (c *Core) diagnose(ref book.ProtocolRef, shard shardmesh.Shard, req *Request, now time.Time) *Error {
	e := &Error{Protocol: c.protos[ref].id, Shard: shard}
	consider := func(p *book.Peer, id peerid.ID) {
		e.Candidates++
		switch {
		case req.excludes(id):
			e.Excluded++
		case c.benched(id, ref, now):
			e.Benched++
			e.retryAt(c.benchedUntil[peerProto{id, ref}])
		case p != nil && p.Connectedness() != book.Connected && p.InBackoff(now):
			e.InBackoff++
			e.retryAt(p.BackoffUntil())
		case c.cfg.ConnectedOnly && (p == nil || p.Connectedness() != book.Connected):
			e.NotConnected++
		}
	}
	sets := [4]book.PeerSet{c.book.Peers(ref, shard, true), c.book.Peers(ref, shard, false)}
	if c.cfg.UnknownShards != UnknownShardsNever {
		sets[2], sets[3] = c.book.PeersWithUnknownShards(ref, true), c.book.PeersWithUnknownShards(ref, false)
	}
	for _, s := range sets {
		for i := range s.Len() {
			p := s.At(i)
			consider(p, p.ID())
		}
	}
	for _, id := range c.pinnedFor(ref, shard.Index) {
		if p := c.book.Get(id); !c.book.IndexedOn(p, ref, shard) {
			consider(p, id) // not already counted from the buckets
		}
	}
	rest := e.Candidates - e.Excluded
	switch {
	case e.Candidates == 0 && c.book.AnyPeerSupports(ref):
		e.Reason = ErrNoPeerOnShard
	case e.Candidates == 0:
		e.Reason = ErrNoPeerSupportsProtocol
	case rest == 0:
		e.Reason = ErrAllExcluded
	case e.Benched+e.InBackoff == rest:
		e.Reason = ErrAllInBackoff
	default:
		e.Reason = ErrNoConnectedPeer
	}
	return e
}

func (e *Error) retryAt(t time.Time) {
	if e.RetryAt.IsZero() || t.Before(e.RetryAt) {
		e.RetryAt = t
	}
}
