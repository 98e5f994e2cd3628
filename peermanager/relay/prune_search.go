package relay

import (
	"cmp"
	"slices"
	"time"

	"github.com/wakupm/wakupm/peermanager/book"
)

// pruneSearchBudget bounds the exact prune search, in search nodes (a node
// decides one candidate). TestPruneProperties (up to 14 peers, 2^14
// removal sets) never needed more than 2^6; the budget leaves room for
// larger near-misses. A case that exhausts it keeps the greedy plan, at a
// cost of about 0.2 ms (BenchmarkPruneSearchExhausted), only on ticks
// where the greedy plan falls short of the targets.
const pruneSearchBudget = 1 << 12

// pruneSearch looks for a set of exactly max(need.in, need.total) removals,
// at least need.in of them inbound, that keeps every floor and the
// outbound quota (removalKeepsFloors). Candidates are tried in preference
// order — peers on none of our shards (inbound first), then those on the
// fewest of our shards, the most over-served first — and removing before
// keeping, so the first set found is the one closest to the greedy's
// preferences. It reports whether it found one, in c.found. cnt, out and
// need must hold the pass's starting counts; they are restored on return.
//
// Why exact: reaching the target is a capacitated hitting-set problem, and
// the greedy misses about one reachable case in a thousand (all logged by
// TestPruneProperties before this search existed).
func (c *Core) pruneSearch(now time.Time) bool {
	removals := max(c.need.in, c.need.total)
	inbound := max(c.need.in, 0)
	c.cands = c.cands[:0]
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		// Counts only fall as removals are planned, so a peer whose removal
		// breaks a floor now never becomes removable.
		if p := conn.At(i); c.prunable(p, now) && c.removalKeepsFloors(p) {
			c.cands = append(c.cands, p)
		}
	}
	if len(c.cands) < removals {
		return false
	}
	c.rng.Shuffle(len(c.cands), func(i, j int) { c.cands[i], c.cands[j] = c.cands[j], c.cands[i] })
	slices.SortStableFunc(c.cands, func(x, y *book.Peer) int {
		nx, sx := c.shardsAndSlack(x)
		ny, sy := c.shardsAndSlack(y)
		if nx == 0 || ny == 0 {
			return cmp.Or(cmp.Compare(nx, ny), cmp.Compare(outboundRank(x), outboundRank(y)))
		}
		return cmp.Or(cmp.Compare(nx, ny), cmp.Compare(sy, sx))
	})
	n := len(c.cands)
	c.candShards = append(c.candShards[:0], make([]int, n)...)
	c.inboundAfter = append(c.inboundAfter[:0], make([]int, n+1)...)
	c.noShardAfter = append(c.noShardAfter[:0], make([]int, n+1)...)
	for i := n - 1; i >= 0; i-- {
		p := c.cands[i]
		c.candShards[i] = c.onShardsOf(p).Len()
		c.inboundAfter[i] = c.inboundAfter[i+1] + 1 - outboundRank(p)
		c.noShardAfter[i] = c.noShardAfter[i+1]
		if c.candShards[i] == 0 {
			c.noShardAfter[i]++
		}
	}
	c.found = c.found[:0]
	c.searchNodes = 0
	return c.searchFrom(0, removals, inbound)
}

// mostRemovableFrom bounds how many of candidates i.. can still go: all
// those on none of our shards, and of the others at most the slack left
// divided by the fewest shards any of them is on (candidates are sorted by
// that count, so it is the first one's).
func (c *Core) mostRemovableFrom(i int) int {
	noShard := c.noShardAfter[i]
	j := i + noShard // the no-shard candidates left come first
	if j >= len(c.cands) {
		return noShard
	}
	return noShard + c.need.slack/c.candShards[j]
}

// searchFrom decides candidates i.. given that removals more removals, at
// least inbound of them inbound, are still needed.
func (c *Core) searchFrom(i, removals, inbound int) bool {
	if removals == 0 {
		return inbound <= 0
	}
	if len(c.cands)-i < removals || c.inboundAfter[i] < inbound || inbound > removals ||
		c.mostRemovableFrom(i) < removals {
		return false
	}
	if c.searchNodes++; c.searchNodes > pruneSearchBudget {
		return false
	}
	p := c.cands[i]
	if c.removalKeepsFloors(p) {
		c.countRemoval(p, -1)
		c.found = append(c.found, p)
		if c.searchFrom(i+1, removals-1, inbound-1+outboundRank(p)) {
			c.countRemoval(p, +1)
			return true
		}
		c.found = c.found[:len(c.found)-1]
		c.countRemoval(p, +1)
	}
	return c.searchFrom(i+1, removals, inbound)
}
