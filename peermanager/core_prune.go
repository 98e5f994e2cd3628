package peermanager

import (
	"cmp"
	"slices"
	"time"

	"github.com/wakupm/wakupm/shardmesh"
)

// prune runs the configured prune strategy.
func (c *Core) prune(now time.Time) {
	switch c.cfg.Prune {
	case PruneByCoverage:
		c.pruneByCoverage(now)
	case PruneInboundExcess:
		rc := c.relayCounts()
		c.pruneInbound(rc.in-c.cfg.InboundTarget, now)
	case PruneInboundDivided:
		c.pruneInboundDivided(now)
	}
}

// prunable reports whether p may be pruned as a relay peer at all.
func (c *Core) prunable(p *Peer, now time.Time) bool {
	return p.connectedness == Connected && p.Supports(c.relay) && !p.Static() && !p.service &&
		!now.Before(p.connectedAt.Add(c.cfg.PruneGrace))
}

// pruneByCoverage is our prune, after Lighthouse's prune_excess_peers. Above
// the targets (total relay peers above InboundTarget+OutboundTarget, or
// inbound above InboundTarget) it removes, in order:
//
//  1. peers on none of our subscribed shards;
//  2. repeatedly, from the most over-served shard (connected minus floor),
//     the peer covering the fewest of our shards (random among equals).
//
// It never removes a peer whose loss takes a subscribed shard below its
// floor or outbound floor, nor an outbound peer when outbound relay peers
// are at OutboundQuota, nor a static, service or young (PruneGrace) peer.
// While inbound is above its target only inbound peers are removed.
func (c *Core) pruneByCoverage(now time.Time) {
	rc := c.relayCounts()
	budget := c.cfg.InboundTarget + c.cfg.OutboundTarget
	needIn := rc.in - c.cfg.InboundTarget
	needTotal := rc.total - budget
	if needIn <= 0 && needTotal <= 0 {
		return
	}
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		set := c.book.Peers(c.relay, s, true)
		c.cnt[s], c.out[s] = int16(set.Len()), int16(set.Outbound())
	}
	outbound := rc.out
	// allowed says whether removing p keeps every constraint.
	allowed := func(p *Peer) bool {
		isOut := p.direction == Outbound
		if needIn > 0 && isOut {
			return false // the inbound excess is what must go first
		}
		if isOut && outbound-1 < c.cfg.OutboundQuota {
			return false
		}
		on := c.onShardsOf(p)
		for s, ok := on.Next(0); ok; s, ok = on.Next(s + 1) {
			if int(c.cnt[s])-1 < c.Floor(s) {
				return false
			}
			if isOut && int(c.out[s])-1 < c.cfg.ShardOutboundFloor {
				return false
			}
		}
		return true
	}
	remove := func(p *Peer, reason DisconnectReason) {
		on := c.onShardsOf(p)
		for s, ok := on.Next(0); ok; s, ok = on.Next(s + 1) {
			c.cnt[s]--
			if p.direction == Outbound {
				c.out[s]--
			}
		}
		if p.direction == Outbound {
			outbound--
		} else {
			needIn--
		}
		needTotal--
		c.disconnect(p, reason, now)
	}
	done := func() bool { return needIn <= 0 && needTotal <= 0 }

	// Two rounds at most: while inbound is over its target only inbound
	// peers may go; once it is not, outbound peers passed over in the
	// first round become candidates.
	for round := 0; round < 2 && !done(); round++ {
		inboundPhase := needIn > 0
		c.pruneNoShard(now, allowed, remove, done)
		c.pruneOverServed(now, allowed, remove, done)
		if !inboundPhase {
			break
		}
	}
}

// pruneNoShard removes peers on none of our subscribed shards (shards
// unknown included: after the grace period a peer that told us nothing
// serves nothing we know of), inbound ones first, random among equals.
func (c *Core) pruneNoShard(now time.Time, allowed func(*Peer) bool, remove func(*Peer, DisconnectReason), done func() bool) {
	c.peers = c.peers[:0]
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		if p := conn.At(i); c.prunable(p, now) && !p.at.shards.Intersects(c.subscribed) {
			c.peers = append(c.peers, p)
		}
	}
	c.shufflePeers()
	slices.SortStableFunc(c.peers, func(x, y *Peer) int {
		return cmp.Compare(outboundRank(x), outboundRank(y))
	})
	for _, p := range c.peers {
		if done() {
			return
		}
		if allowed(p) {
			remove(p, ReasonPruneNoShard)
		}
	}
}

// pruneOverServed repeatedly removes one allowed peer on an over-served
// subscribed shard (connected above its floor): the one covering the
// fewest of our shards, then the one whose tightest shard has the most
// peers above its floor (the most over-served), random among equals.
// Choosing the peer rather than the shard first matters when an
// over-served shard's only allowed candidate also holds up other shards
// (found by TestPruneProperties).
func (c *Core) pruneOverServed(now time.Time, allowed func(*Peer) bool, remove func(*Peer, DisconnectReason), done func() bool) {
	var over shardmesh.ShardSet
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		if int(c.cnt[s]) > c.Floor(s) {
			over.Add(s)
		}
	}
	c.peers = c.peers[:0]
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		if p := conn.At(i); c.prunable(p, now) && p.at.shards.Intersects(over) {
			c.peers = append(c.peers, p)
		}
	}
	c.shufflePeers()
	for !done() {
		best, bestShards, bestSlack := -1, 0, 0
		for i, p := range c.peers {
			if p == nil || !allowed(p) {
				continue
			}
			on := c.onShardsOf(p)
			n, slack := 0, int(^uint(0)>>1)
			for s, ok := on.Next(0); ok; s, ok = on.Next(s + 1) {
				n++
				slack = min(slack, int(c.cnt[s])-c.Floor(s))
			}
			if best < 0 || n < bestShards || (n == bestShards && slack > bestSlack) {
				best, bestShards, bestSlack = i, n, slack
			}
		}
		if best < 0 {
			return
		}
		remove(c.peers[best], ReasonPruneOverServed)
		c.peers[best] = nil
	}
}

// pruneInbound closes n inbound relay peers in connection order: the
// oldest first (nwaku takes the first N of its list) or the newest first
// (go-waku closes from index InRelayPeersTarget on). Outbound peers are
// never pruned by these policies.
func (c *Core) pruneInbound(n int, now time.Time) {
	if n <= 0 {
		return
	}
	c.peers = c.peers[:0]
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		if p := conn.At(i); p.direction == Inbound && p.Supports(c.relay) {
			c.peers = append(c.peers, p)
		}
	}
	slices.SortStableFunc(c.peers, func(x, y *Peer) int { return x.connectedAt.Compare(y.connectedAt) })
	if c.cfg.PruneNewestFirst {
		slices.Reverse(c.peers)
	}
	victims := c.peers[:min(n, len(c.peers))]
	for _, p := range victims {
		c.disconnect(p, ReasonInboundExcess, now)
	}
}

// pruneInboundDivided is nwaku's sharded inbound prune (pm.nim:812-895):
// per shard, inbound peers (by ENR) above inbound target div number of
// shards, summed over shards, are closed in list order.
func (c *Core) pruneInboundDivided(now time.Time) {
	n := c.subscribed.Len()
	if n == 0 {
		return
	}
	inTarget := c.cfg.InboundTarget / n
	c.countByENR()
	excess := 0
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		excess += max(int(c.cnt[s])-inTarget, 0)
	}
	c.pruneInbound(excess, now)
}

// protectFloorPeers keeps the connection manager's protection in step with
// the floors: a connected relay peer is protected while losing it would
// take one of our shards below its floor (or outbound floor, for an
// outbound peer), and static peers always are. O(connected × their shards).
func (c *Core) protectFloorPeers() {
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		p := conn.At(i)
		must := p.Static()
		if !must && p.Supports(c.relay) {
			on := c.onShardsOf(p)
			for s, ok := on.Next(0); ok && !must; s, ok = on.Next(s + 1) {
				set := c.book.Peers(c.relay, s, true)
				must = set.Len() <= c.Floor(s) ||
					(p.direction == Outbound && set.Outbound() <= c.cfg.ShardOutboundFloor)
			}
		}
		switch {
		case must && !p.protected:
			p.protected = true
			c.emit(Action{Kind: ActProtect, Peer: p.id})
		case !must && p.protected:
			p.protected = false
			c.emit(Action{Kind: ActUnprotect, Peer: p.id})
		}
	}
}

func outboundRank(p *Peer) int {
	if p.direction == Outbound {
		return 1
	}
	return 0
}
