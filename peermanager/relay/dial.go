package relay

import (
	"cmp"
	"math"
	"time"

	"github.com/wakupm/wakupm/peermanager/book"

	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
)

// fillDeficits runs the configured dial strategy.
func (c *Core) fillDeficits(now time.Time) {
	// Also offline: DialCreditEndsIn must not keep reporting a credit
	// that has ended (the Manager would tick at once, again and again).
	c.uncountSlowDials(now)
	if !c.online {
		return
	}
	c.redialStatic(now)
	switch c.cfg.Dial {
	case DialByCoverage:
		c.dialByCoverage(now)
	case DialGlobalRandom:
		c.dialGlobalRandom(now)
	case DialDividedTargets:
		c.dialDividedTargets(now)
	case DialPerTopicGlobalTarget:
		c.dialPerTopic(now)
	}
}

// redialStatic keeps static peers connected (ours: they are configured on
// purpose and never forgotten). The other implementations dial them at
// start only, which onDiscovered does for every policy.
func (c *Core) redialStatic(now time.Time) {
	if c.cfg.Dial != DialByCoverage {
		return
	}
	for _, id := range c.static {
		if len(c.dials) >= c.cfg.MaxDialsInFlight {
			return
		}
		if p := c.book.Get(id); p != nil && c.dialable(p, now) {
			c.dial(p, now)
		}
	}
}

// shardDeficit is how many more connected relay peers shard s needs:
// the floor and the outbound floor, counting dials in flight.
func (c *Core) shardDeficit(s uint16) int {
	set := c.relayPeers(s, true)
	pend := int(c.pending[s])
	return max(c.floor(s)-set.Len()-pend, c.cfg.ShardOutboundFloor-set.Outbound()-pend, 0)
}

// dialByCoverage is our strategy. Under-floor shards first: repeatedly dial
// the sampled candidate covering the most shards still short of their
// floor (ties: lower RTT, measured first; then seen more recently; peers
// in their prune cooldown only after all others, see preferCandidate),
// until the dial slots or the relay budget (plus headroom) run out. With
// every floor met, it fills the outbound target the same way, by coverage
// of all subscribed shards. Shards left short with too few candidates get
// an on-demand discovery request.
//
// Cost: O(subscribed + under-floor shards × CandidateSample × dials), never
// the size of the book.
func (c *Core) dialByCoverage(now time.Time) {
	var under shardmesh.ShardSet
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		if d := c.shardDeficit(s); d > 0 {
			c.deficit[s] = int16(min(d, math.MaxInt16))
			under.Add(s)
		}
	}
	c.under = under
	if c.cfg.EvictOffShard {
		c.evictOffShard(!under.Empty(), now)
	}
	rc := c.relayCounts()
	inflight := len(c.dials)
	budget := c.cfg.InboundTarget + c.cfg.OutboundTarget
	var room int
	want := under
	if under.Empty() {
		room = min(c.cfg.OutboundTarget-rc.out-inflight, budget-rc.total-inflight)
		want = c.subscribed
	} else {
		limit := budget + slots.HeadroomOf(budget, c.cfg.DialHeadroom)
		room = limit - rc.total - inflight
	}
	room = min(room, c.cfg.MaxDialsInFlight-inflight)
	if want.Empty() || (room <= 0 && under.Empty()) {
		return
	}
	started := len(c.dials)
	want = c.dialGreedily(c.sampleCandidates(want, under, now), want, under, room, now)
	if !under.Empty() {
		c.under = want // what is still short after these dials
	} else if left := room - (len(c.dials) - started); left > 0 {
		c.discoverForOutbound(left, now)
	}
	for s, ok := under.Next(0); ok; s, ok = under.Next(s + 1) {
		if int(c.eligible[s]) < int(c.deficit[s]) && c.shardDeficit(s) > 0 {
			c.requestDiscovery(s, now)
		}
	}
}

// candidate is a peer of a dial pass's pool: how many wanted shards it
// covers, and whether it is a last resort (fixed for the pass): in its
// prune cooldown, or failed and not rediscovered (Core.deferred).
type candidate struct {
	p       *book.Peer
	cov     int
	claims  int // advertised shards of the cluster, for moreSpecific
	cooling bool
}

// dialGreedily dials up to room candidates of pool, each time the one
// preferCandidate puts first, and returns what is left of want: with
// under-floor shards (under), a shard leaves want once its deficit is
// met, and the coverage of the candidates on it is recomputed.
func (c *Core) dialGreedily(pool []candidate, want, under shardmesh.ShardSet, room int, now time.Time) shardmesh.ShardSet {
	for i := range pool {
		on := pool[i].p.IndexedShards()
		pool[i].cov, pool[i].claims = on.IntersectionLen(want), on.Len()
	}
	specific := c.distrusting(now)
	for ; room > 0 && len(pool) > 0; room-- {
		best := -1
		for i := range pool {
			if pool[i].cov > 0 && (best < 0 || preferCandidate(&pool[i], &pool[best], specific)) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		p := pool[best].p
		last := len(pool) - 1
		pool[best] = pool[last]
		pool = pool[:last]
		c.dial(p, now)
		if under.Empty() {
			continue
		}
		var completed shardmesh.ShardSet
		on := c.onShardsOf(p)
		for s, ok := on.Next(0); ok; s, ok = on.Next(s + 1) {
			if want.Contains(s) && c.shardDeficit(s) == 0 {
				completed.Add(s)
			}
		}
		if completed.Empty() {
			continue
		}
		want = want.Difference(completed)
		if want.Empty() {
			break
		}
		for i := range pool {
			if on := pool[i].p.IndexedShards(); pool[i].cov > 0 && on.Intersects(completed) {
				pool[i].cov = on.IntersectionLen(want)
			}
		}
	}
	c.pool = pool[:0]
	return want
}

// preferCandidate reports whether candidate a goes before b. A peer in its
// prune cooldown (we pruned it, or it closed on us) comes after every
// other candidate, whatever its coverage or RTT: it is a short shard's
// last resort. Then, when specific (DistrustBroadClaims), the one whose
// advertised shards are more of them wanted; then the one covering more
// wanted shards, then betterCandidate.
func preferCandidate(a, b *candidate, specific bool) bool {
	if a.cooling != b.cooling {
		return b.cooling
	}
	if specific {
		if d := moreSpecific(a, b); d != 0 {
			return d > 0
		}
	}
	if a.cov != b.cov {
		return a.cov > b.cov
	}
	return betterCandidate(a.p, b.p) < 0
}

// betterCandidate orders equally covering candidates: measured RTT before
// unmeasured, lower RTT first, then the one seen most recently.
func betterCandidate(a, b *book.Peer) int {
	ra, measuredA := a.RTT()
	rb, measuredB := b.RTT()
	switch {
	case measuredA && !measuredB:
		return -1
	case !measuredA && measuredB:
		return 1
	}
	if r := cmp.Compare(ra, rb); r != 0 {
		return r
	}
	return b.LastSeen().Compare(a.LastSeen())
}

// maxPool bounds the candidates one pass examines, so that a pass over
// many short shards stays cheap; each shard still gets at least as many
// candidates as its deficit, so that "too few candidates" is judged right.
const maxPool = 256

// sampleCandidates gathers dialable relay peers on the shards of want,
// from a random position in each shard's bucket, without duplicates: per
// shard up to CandidateSample, fewer when many shards share the pool cap,
// but never fewer than the shard's deficit (short shards are those of
// under). It records per shard how many it found (c.eligible).
func (c *Core) sampleCandidates(want, under shardmesh.ShardSet, now time.Time) []candidate {
	c.epoch++
	pool := c.pool[:0]
	share := max(1, min(c.cfg.CandidateSample, maxPool/max(1, want.Len())))
	for s, ok := want.Next(0); ok; s, ok = want.Next(s + 1) {
		c.eligible[s] = 0
		bucket := c.relayPeers(s, false)
		n := bucket.Len()
		if n == 0 {
			continue
		}
		sample := share
		if under.Contains(s) {
			sample = max(sample, int(c.deficit[s]))
		}
		start, got := c.rng.IntN(n), 0
		reserve := c.reserve[:0]
		for k := 0; k < n && k < 4*sample && got < sample; k++ {
			p := bucket.At((start + k) % n)
			if !c.dialable(p, now) {
				continue
			}
			if c.deferred(p, now) {
				reserve = append(reserve, p)
				continue
			}
			st := c.state(p)
			got++
			if st.mark != c.epoch {
				st.mark = c.epoch
				pool = append(pool, candidate{p: p})
			}
		}
		// Peers in their prune cooldown (pruned, or closed on us) and
		// peers that failed and were not rediscovered are a last resort
		// for a shard that is short of candidates; discovery is asked
		// too, as eligible counts only the others.
		for _, p := range reserve[:min(len(reserve), max(sample-got, 0))] {
			if st := c.state(p); under.Contains(s) && st.mark != c.epoch {
				st.mark = c.epoch
				pool = append(pool, candidate{p: p, cooling: true})
			}
		}
		c.reserve = reserve[:0]
		c.eligible[s] = int16(got)
	}
	return pool
}

// requestDiscovery asks for peers on s, at most one request in flight per
// shard when DiscoveryDedup is set.
func (c *Core) requestDiscovery(s uint16, now time.Time) {
	if !c.cfg.OnDemandDiscovery {
		return
	}
	if c.cfg.DiscoveryDedup {
		if now.Before(c.discoverUntil[s]) {
			return
		}
		c.discoverUntil[s] = now.Add(c.cfg.DiscoveryTimeout)
	}
	c.stats.DiscoveryRequests++
	c.discoveryReqs[s]++
	c.emit(Action{Kind: ActDiscover, Shard: c.shard(s), Count: c.cfg.DiscoveryBatch})
}
