package relay

import (
	"cmp"
	"slices"
	"time"

	"github.com/wakupm/wakupm/peermanager/book"
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
func (c *Core) prunable(p *book.Peer, now time.Time) bool {
	return p.Connectedness() == book.Connected && p.Supports(c.relay) && !p.Static() && !c.state(p).service &&
		!now.Before(p.ConnectedAt().Add(c.cfg.PruneGrace))
}

// pruneByCoverage is our prune, after Lighthouse's prune_excess_peers. Above
// the targets (total relay peers above InboundTarget+OutboundTarget, or
// inbound above InboundTarget) it removes, in order of preference:
//
//  1. peers on none of our subscribed shards, inbound ones first;
//  2. repeatedly, from the over-served shards (connected above their
//     floor), the peer covering the fewest of our shards (random among
//     equals).
//
// It never removes a peer whose loss takes a subscribed shard below its
// floor or outbound floor, nor an outbound peer when outbound relay peers
// are at OutboundQuota, nor a static, service or young (PruneGrace) peer.
//
// The preference order is greedy and can paint itself into a corner: it
// may keep two peers that each hold up one shard where a single peer on
// both would do. When it falls short of the targets, a bounded exact
// search (pruneSearch) looks for a removal set that reaches them, keeping
// the same preference order among the sets it tries; if none exists or the
// search runs out of budget, the greedy plan stands. The plan is carried
// out only once it is final.
func (c *Core) pruneByCoverage(now time.Time) {
	rc := c.relayCounts()
	needIn := rc.in - c.cfg.InboundTarget
	needTotal := rc.total - (c.cfg.InboundTarget + c.cfg.OutboundTarget)
	if needIn <= 0 && needTotal <= 0 {
		return
	}
	start := pruneNeeds{outbound: rc.out, in: needIn, total: needTotal}
	start.slack = c.loadShardCounts()
	c.need = start
	c.epoch++ // marks this pass's planned victims
	c.victims = c.victims[:0]

	// Two rounds at most: while inbound is over its target only inbound
	// peers may go; once it is not, outbound peers passed over in the
	// first round become candidates.
	for round := 0; round < 2 && !c.need.done(); round++ {
		inboundPhase := c.need.in > 0
		c.pruneNoShard(now)
		c.pruneOverServed(now)
		if !inboundPhase {
			break
		}
	}
	if !c.need.done() {
		c.loadShardCounts()
		c.need = start
		c.stats.PruneSearches++
		if c.pruneSearch(now) {
			c.stats.PruneSearchRescues++
			c.victims = append(c.victims[:0], c.found...)
		}
	}
	for _, p := range c.victims {
		reason := ReasonPruneOverServed
		if c.onShardsOf(p).Empty() {
			reason = ReasonPruneNoShard
		}
		c.disconnect(p, reason, now)
	}
}

// pruneNeeds is what a prune pass still has to remove, as the removals
// planned so far leave it.
type pruneNeeds struct {
	outbound int // outbound relay peers left
	in       int // inbound peers still to remove
	total    int // peers still to remove
	// slack: over subscribed shards, the connected peers above the floor.
	// Each removal of a peer on our shards uses one per shard it is on.
	slack int
}

func (n pruneNeeds) done() bool { return n.in <= 0 && n.total <= 0 }

// loadShardCounts sets cnt and out to the connected relay peers, and the
// outbound ones, on each subscribed shard, and returns their total slack.
func (c *Core) loadShardCounts() (slack int) {
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		set := c.relayPeers(s, true)
		c.cnt[s], c.out[s] = int16(set.Len()), int16(set.Outbound())
		slack += max(set.Len()-c.floor(s), 0)
	}
	return slack
}

// removalKeepsFloors reports whether removing p, after the removals counted
// in cnt, out and need, keeps every subscribed shard at its floor and
// outbound floor and outbound relay peers at OutboundQuota.
func (c *Core) removalKeepsFloors(p *book.Peer) bool {
	isOut := p.Direction() == book.Outbound
	if isOut && c.need.outbound-1 < c.cfg.OutboundQuota {
		return false
	}
	on := c.onShardsOf(p)
	for s, ok := on.Next(0); ok; s, ok = on.Next(s + 1) {
		if int(c.cnt[s])-1 < c.floor(s) {
			return false
		}
		if isOut && int(c.out[s])-1 < c.cfg.ShardOutboundFloor {
			return false
		}
	}
	return true
}

// greedyMayRemove is removalKeepsFloors plus the greedy's phase rule: the
// inbound excess goes first.
func (c *Core) greedyMayRemove(p *book.Peer) bool {
	if c.need.in > 0 && p.Direction() == book.Outbound {
		return false
	}
	return c.removalKeepsFloors(p)
}

// countRemoval applies (delta -1) or undoes (+1) p's removal in cnt, out
// and need; p's removal must keep the floors (removalKeepsFloors).
func (c *Core) countRemoval(p *book.Peer, delta int) {
	on := c.onShardsOf(p)
	for s, ok := on.Next(0); ok; s, ok = on.Next(s + 1) {
		c.need.slack += delta
		c.cnt[s] += int16(delta)
		if p.Direction() == book.Outbound {
			c.out[s] += int16(delta)
		}
	}
	if p.Direction() == book.Outbound {
		c.need.outbound += delta
	} else {
		c.need.in += delta
	}
	c.need.total += delta
}

// planVictim adds p to the greedy plan.
func (c *Core) planVictim(p *book.Peer) {
	c.countRemoval(p, -1)
	c.state(p).mark = c.epoch
	c.victims = append(c.victims, p)
}

// candidate reports whether p is a prunable relay peer not yet planned.
func (c *Core) candidate(p *book.Peer, now time.Time) bool {
	return c.state(p).mark != c.epoch && c.prunable(p, now)
}

// pruneNoShard plans the removal of peers on none of our subscribed shards
// (shards unknown included: after the grace period a peer that told us
// nothing serves nothing we know of), inbound ones first, random among
// equals.
func (c *Core) pruneNoShard(now time.Time) {
	c.peers = c.peers[:0]
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		if p := conn.At(i); c.candidate(p, now) && !p.IndexedShards().Intersects(c.subscribed) {
			c.peers = append(c.peers, p)
		}
	}
	c.shufflePeers()
	slices.SortStableFunc(c.peers, func(x, y *book.Peer) int {
		return cmp.Compare(outboundRank(x), outboundRank(y))
	})
	for _, p := range c.peers {
		if c.need.done() {
			return
		}
		if c.greedyMayRemove(p) {
			c.planVictim(p)
		}
	}
}

// pruneOverServed repeatedly plans the removal of one allowed peer on an
// over-served subscribed shard (connected above its floor): the one
// covering the fewest of our shards, then the one whose tightest shard has
// the most peers above its floor (the most over-served), random among
// equals. Choosing the peer rather than the shard first matters when an
// over-served shard's only allowed candidate also holds up other shards
// (found by TestPruneProperties).
func (c *Core) pruneOverServed(now time.Time) {
	var over shardmesh.ShardSet
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		if int(c.cnt[s]) > c.floor(s) {
			over.Add(s)
		}
	}
	c.peers = c.peers[:0]
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		if p := conn.At(i); c.candidate(p, now) && p.IndexedShards().Intersects(over) {
			c.peers = append(c.peers, p)
		}
	}
	c.shufflePeers()
	for !c.need.done() {
		best, bestShards, bestSlack := -1, 0, 0
		for i, p := range c.peers {
			if p == nil || !c.greedyMayRemove(p) {
				continue
			}
			n, slack := c.shardsAndSlack(p)
			if best < 0 || n < bestShards || (n == bestShards && slack > bestSlack) {
				best, bestShards, bestSlack = i, n, slack
			}
		}
		if best < 0 {
			return
		}
		c.planVictim(c.peers[best])
		c.peers[best] = nil
	}
}

// shardsAndSlack returns how many of our shards p is on and, over those,
// the fewest peers above the floor.
func (c *Core) shardsAndSlack(p *book.Peer) (n, slack int) {
	slack = int(^uint(0) >> 1)
	on := c.onShardsOf(p)
	for s, ok := on.Next(0); ok; s, ok = on.Next(s + 1) {
		n++
		slack = min(slack, int(c.cnt[s])-c.floor(s))
	}
	return n, slack
}

// pruneInbound closes n inbound relay peers in InboundPruneOrder. Outbound
// peers are never pruned by these policies.
func (c *Core) pruneInbound(n int, now time.Time) {
	if n <= 0 {
		return
	}
	c.peers = c.peers[:0]
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		if p := conn.At(i); p.Direction() == book.Inbound && p.Supports(c.relay) {
			c.peers = append(c.peers, p)
		}
	}
	slices.SortStableFunc(c.peers, func(x, y *book.Peer) int { return x.ConnectedAt().Compare(y.ConnectedAt()) })
	switch c.cfg.InboundPruneOrder {
	case NewestFirst:
		slices.Reverse(c.peers)
	case ArbitraryOrder:
		c.shufflePeers()
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
				set := c.relayPeers(s, true)
				must = set.Len() <= c.floor(s) ||
					(p.Direction() == book.Outbound && set.Outbound() <= c.cfg.ShardOutboundFloor)
			}
		}
		c.setProtected(p, must)
	}
}

func outboundRank(p *book.Peer) int {
	if p.Direction() == book.Outbound {
		return 1
	}
	return 0
}
