package book

import (
	"cmp"
	"slices"
	"time"
)

// evictBatchDivisor sets the eviction batch: capacity/16 records at a time,
// so that a book kept full by discovery scans itself once per
// capacity/16 insertions (amortised O(16) per insertion), not on each one.
const evictBatchDivisor = 16

// usefulness ranks a record for eviction: lower is evicted first.
type usefulness struct {
	class    int       // see classOf
	failures int       // more failures is less useful
	lastSeen time.Time // older is less useful
}

// Eviction classes, least useful first.
const (
	classOtherCluster  = iota // can never serve us
	classOffShard             // shards known, none we want
	classUnknownShards        // might be useful, unproven
	classOnWanted             // advertises a shard we want
)

func (b *Book) classOf(p *Peer) int {
	if p.clusterKnown && p.cluster != b.cluster {
		return classOtherCluster
	}
	shards, src := p.Shards()
	switch {
	case src == ShardsUnknown:
		return classUnknownShards
	case shards.Intersects(b.wanted):
		return classOnWanted
	}
	return classOffShard
}

func (b *Book) usefulnessOf(p *Peer) usefulness {
	return usefulness{class: b.classOf(p), failures: p.dialFailures, lastSeen: p.lastSeen}
}

func compareUsefulness(x, y usefulness) int {
	if c := cmp.Compare(x.class, y.class); c != 0 {
		return c
	}
	if c := cmp.Compare(y.failures, x.failures); c != 0 {
		return c
	}
	return x.lastSeen.Compare(y.lastSeen)
}

func evictable(p *Peer) bool {
	return p.connectedness == NotConnected && !p.keep && p.origin != OriginStatic
}

// makeRoom evicts, when the book is at capacity, a batch of the least
// useful evictable records that are strictly less useful than cand (any,
// when cand is nil). It returns ErrBookFull when cand is not nil and no
// room could be made.
func (b *Book) makeRoom(cand *Peer) error {
	if len(b.byID) < b.capacity {
		return nil
	}
	var candRank usefulness
	if cand != nil {
		candRank = b.usefulnessOf(cand)
	}
	type victim struct {
		p *Peer
		u usefulness
	}
	var victims []victim
	for _, p := range b.peers {
		if p == nil || !evictable(p) {
			continue
		}
		u := b.usefulnessOf(p)
		if cand != nil && compareUsefulness(u, candRank) >= 0 {
			continue
		}
		victims = append(victims, victim{p, u})
	}
	if len(victims) == 0 {
		if cand != nil {
			return ErrBookFull
		}
		return nil
	}
	batch := max(1, b.capacity/evictBatchDivisor, len(b.byID)+1-b.capacity)
	batch = min(batch, len(victims))
	slices.SortFunc(victims, func(x, y victim) int { return compareUsefulness(x.u, y.u) })
	for _, v := range victims[:batch] {
		b.Remove(v.p.id)
		b.evictions++
	}
	return nil
}
