package selection

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// The store-node cycle of a status-go-like client, on top of the store
// pools (go-waku waku/v2/api/history/cycle.go, which status-go uses): the
// store node in use on a shard is the first member of its store pool,
// chosen pinned first (Pin, PinFor: the user's pinned node, a community's
// nodes) and else among the fastest (PolicyFastest); a node failing its
// requests is replaced and benched for the protocol's BenchFor (the
// graylist: 3 min in StatusPreset); changes are notified as
// NotifyStoreNodeChanged, NotifyStoreNodeNotWorking and
// NotifyStoreNodeAvailable. The shell pings the candidates
// (ProbeCandidates), not only the pool, so that the choice rests on
// measured RTTs, and offers a wait for an available store node.

// storeNodeEvents notifies a change of the store node in use on pl's
// shard, and its coming back after none.
func (c *Core) storeNodeEvents(pl *pool) {
	if !c.hasStore || pl.key.ref != c.storeRef {
		return
	}
	var first peerid.ID
	if len(pl.members) > 0 {
		first = pl.members[0].id
	}
	if first == pl.active {
		return
	}
	old := pl.active
	pl.active = first
	shard := c.shardOf(pl.key)
	c.notify(Notification{Kind: NotifyStoreNodeChanged, Protocol: c.protos[pl.key.ref].id, Shard: shard, Peer: old, Replacement: first})
	if old == "" {
		c.notify(Notification{Kind: NotifyStoreNodeAvailable, Protocol: c.protos[pl.key.ref].id, Shard: shard, Peer: first})
	}
}

// ProbeCandidates appends to dst up to max peers worth pinging before
// choosing the store node (or another protocol's peer) of shard: the
// pinned ones, the pool's members, then other eligible peers indexed on
// the shard, connected first. Peers benched or in dial backoff are left
// out. The shell pings them and feeds RTTs (book ObserveRTT) and failures
// (a failed dial: the book's dial backoff) back.
func (c *Core) ProbeCandidates(dst []peerid.ID, proto string, shard shardmesh.Shard, max int, now time.Time) []peerid.ID {
	ref, ok := c.book.Protocol(proto)
	if !ok || shard.Cluster != c.cfg.Cluster || max <= 0 {
		return dst
	}
	start := len(dst)
	add := func(id peerid.ID) {
		if len(dst)-start >= max || c.benched(id, ref, now) {
			return
		}
		if p := c.book.Get(id); p != nil && p.Connectedness() != book.Connected && p.InBackoff(now) {
			return
		}
		for _, x := range dst[start:] {
			if x == id {
				return
			}
		}
		dst = append(dst, id)
	}
	for _, id := range c.pinnedFor(ref, shard.Index) {
		add(id)
	}
	if pl := c.pools[poolKey{ref, shard.Index}]; pl != nil {
		for _, m := range pl.members {
			add(m.id)
		}
	}
	for _, connected := range [2]bool{true, false} {
		set := c.book.Peers(ref, shard, connected)
		for i := range set.Len() {
			add(set.At(i).ID())
		}
	}
	return dst
}

// StoreNode returns the store node in use on shard (the first member of
// its store pool) and whether there is one.
func (c *Core) StoreNode(shard shardmesh.Shard) (peerid.ID, bool) {
	if !c.hasStore || shard.Cluster != c.cfg.Cluster {
		return "", false
	}
	pl := c.pools[poolKey{c.storeRef, shard.Index}]
	if pl == nil || len(pl.members) == 0 {
		return "", false
	}
	return pl.members[0].id, true
}
