package selection

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// tier is a group of index buckets the policy treats as equals, read as one
// virtual list without copying.
type tier struct {
	sets [4]book.PeerSet
	k    int
	n    int
}

func (t *tier) add(s book.PeerSet) {
	if s.Len() == 0 {
		return
	}
	t.sets[t.k] = s
	t.k++
	t.n += s.Len()
}

func (t *tier) at(i int) *book.Peer {
	for j := 0; ; j++ {
		if l := t.sets[j].Len(); i >= l {
			i -= l
			continue
		}
		return t.sets[j].At(i)
	}
}

// tiers returns the candidate buckets of (ref, shard) in the order the
// policy and the configuration want them tried. Cost: O(1), bucket reads.
func (c *Core) tiers(ref book.ProtocolRef, shard uint16, policy Policy) ([4]tier, int) {
	var ts [4]tier
	b := c.book
	on := shardmesh.Shard{Cluster: c.cfg.Cluster, Index: shard}
	dialable := !c.cfg.ConnectedOnly
	alongside := c.cfg.UnknownShards == UnknownShardsAlongside
	lastResort := c.cfg.UnknownShards == UnknownShardsLastResort
	n := 0
	if policy == PolicyRandom {
		t := &ts[n]
		t.add(b.Peers(ref, on, true))
		if dialable {
			t.add(b.Peers(ref, on, false))
		}
		if alongside {
			t.add(b.PeersWithUnknownShards(ref, true))
			if dialable {
				t.add(b.PeersWithUnknownShards(ref, false))
			}
		}
		n++
		if lastResort {
			t := &ts[n]
			t.add(b.PeersWithUnknownShards(ref, true))
			if dialable {
				t.add(b.PeersWithUnknownShards(ref, false))
			}
			n++
		}
		return ts, n
	}
	for _, connected := range [2]bool{true, false} {
		if !connected && !dialable {
			break
		}
		t := &ts[n]
		t.add(b.Peers(ref, on, connected))
		if alongside {
			t.add(b.PeersWithUnknownShards(ref, connected))
		}
		n++
	}
	if lastResort {
		for _, connected := range [2]bool{true, false} {
			if !connected && !dialable {
				break
			}
			ts[n].add(b.PeersWithUnknownShards(ref, connected))
			n++
		}
	}
	return ts, n
}

// candidates appends to c.pick up to want eligible peers for (ref, shard)
// in policy order, skipping peers already picked, pool members in skip,
// avoid, and the request's exclusions.
func (c *Core) candidates(ref book.ProtocolRef, shard uint16, policy Policy, want int, req *Request, skip []poolMember, avoid peerid.ID, now time.Time) {
	limit := len(c.pick) + want
	for _, id := range c.pinnedFor(ref, shard) {
		if len(c.pick) == limit {
			return
		}
		if c.usableID(id, ref, req, skip, avoid, now) {
			c.pick = append(c.pick, id)
		}
	}
	ts, n := c.tiers(ref, shard, policy)
	for i := 0; i < n && len(c.pick) < limit; i++ {
		switch policy {
		case PolicyLowestRTT:
			c.lowestRTT(&ts[i], ref, limit, req, skip, avoid, now)
		case PolicyFastest:
			c.fastest(&ts[i], ref, limit, req, skip, avoid, now)
		default:
			c.random(&ts[i], ref, limit, req, skip, avoid, now)
		}
	}
}

// minFastest is go-waku's minStorenodesToChooseFrom: PolicyFastest draws
// from at least this many of the fastest candidates.
const minFastest = 3

// fastest appends, until c.pick reaches limit, peers drawn at random from
// the fastest max(3, ceil(n/4)) eligible peers of t by RTT.
func (c *Core) fastest(t *tier, ref book.ProtocolRef, limit int, req *Request, skip []poolMember, avoid peerid.ID, now time.Time) {
	start := len(c.pick)
	want := limit - start
	k := max(minFastest, (t.n+3)/4, want)
	k = min(k, maxSelect-start)
	if k <= 0 {
		return
	}
	c.lowestRTT(t, ref, start+k, req, skip, avoid, now)
	got := c.pick[start:]
	for i := 0; i < len(got) && i < want; i++ { // partial Fisher-Yates
		j := i + c.rng.IntN(len(got)-i)
		got[i], got[j] = got[j], got[i]
	}
	if len(got) > want {
		c.pick = c.pick[:start+want]
	}
}

// random appends eligible peers of t in random order until c.pick reaches
// limit. It walks the tier along a random coprime stride from a random
// start: a permutation of the tier without copying it, so the first pick is
// uniform and the walk stops as soon as enough peers are found.
func (c *Core) random(t *tier, ref book.ProtocolRef, limit int, req *Request, skip []poolMember, avoid peerid.ID, now time.Time) {
	n := t.n
	if n == 0 {
		return
	}
	idx, step := c.rng.IntN(n), c.coprimeStep(n)
	for range n {
		if p := t.at(idx); c.usable(p, ref, req, skip, avoid, now) {
			c.pick = append(c.pick, p.ID())
			if len(c.pick) == limit {
				return
			}
		}
		if idx += step; idx >= n {
			idx -= n
		}
	}
}

func (c *Core) coprimeStep(n int) int {
	if n <= 2 {
		return 1
	}
	s := 1 + c.rng.IntN(n-1)
	for gcd(s, n) != 1 {
		if s++; s == n {
			s = 1
		}
	}
	return s
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// lowestRTT appends the best eligible peers of t by RTT until c.pick reaches
// limit. It reads the whole tier (one bucket of the index, not the book),
// keeping the best few in a small sorted buffer; ties keep the order of a
// walk from a random start.
func (c *Core) lowestRTT(t *tier, ref book.ProtocolRef, limit int, req *Request, skip []poolMember, avoid peerid.ID, now time.Time) {
	n := t.n
	if n == 0 {
		return
	}
	want := limit - len(c.pick)
	best := c.best[:0]
	idx := c.rng.IntN(n)
	for range n {
		p := t.at(idx)
		if idx++; idx == n {
			idx = 0
		}
		if len(best) == want && !c.fasterThan(p, best[want-1]) {
			continue
		}
		if !c.usable(p, ref, req, skip, avoid, now) {
			continue
		}
		if len(best) < want {
			best = append(best, p)
		} else {
			best[want-1] = p
		}
		for j := len(best) - 1; j > 0 && c.fasterThan(best[j], best[j-1]); j-- {
			best[j], best[j-1] = best[j-1], best[j]
		}
	}
	for _, p := range best {
		c.pick = append(c.pick, p.ID())
	}
	c.best = best[:0]
}

// fasterThan orders peers for PolicyLowestRTT: measured before unmeasured
// (or after, UnmeasuredRTTFirst), then increasing RTT. It is a strict weak
// order (go-waku's lowest-RTT comparison in waku/v2/peermanager was not).
func (c *Core) fasterThan(a, b *book.Peer) bool {
	ra, ma := a.RTT()
	rb, mb := b.RTT()
	if ma != mb {
		return ma != c.cfg.UnmeasuredRTTFirst
	}
	return ma && ra < rb
}

// usable is the per-candidate part of eligibility (the index already
// guarantees protocol, shard and cluster).
func (c *Core) usable(p *book.Peer, ref book.ProtocolRef, req *Request, skip []poolMember, avoid peerid.ID, now time.Time) bool {
	if p.Connectedness() != book.Connected && p.InBackoff(now) {
		return false
	}
	return c.free(p.ID(), ref, req, skip, avoid, now)
}

// usableID is usable for a pinned peer, which the book may not know.
func (c *Core) usableID(id peerid.ID, ref book.ProtocolRef, req *Request, skip []poolMember, avoid peerid.ID, now time.Time) bool {
	if p := c.book.Get(id); p != nil && p.Connectedness() != book.Connected && p.InBackoff(now) {
		return false
	}
	if c.cfg.ConnectedOnly {
		if p := c.book.Get(id); p == nil || p.Connectedness() != book.Connected {
			return false
		}
	}
	return c.free(id, ref, req, skip, avoid, now)
}

func (c *Core) free(id peerid.ID, ref book.ProtocolRef, req *Request, skip []poolMember, avoid peerid.ID, now time.Time) bool {
	if id == avoid || c.benched(id, ref, now) {
		return false
	}
	for _, x := range c.pick {
		if x == id {
			return false
		}
	}
	for i := range skip {
		if skip[i].id == id {
			return false
		}
	}
	return req == nil || !req.excludes(id)
}
