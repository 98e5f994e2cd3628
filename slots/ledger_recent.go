package slots

import (
	"hash/maphash"
	"time"

	"github.com/wakupm/wakupm/peerid"
)

// maxRecentCloses bounds how many closed peers a Ledger remembers exactly,
// each with its own deadline.
const maxRecentCloses = 4096

// recentCloses remembers the peers a Ledger closed, each until a deadline,
// in closing order. Its memory is bounded, and no peer is forgotten before
// its deadline: when more than maxRecentCloses peers are within their
// deadline at once (a flood of closes), the oldest move from the exact
// memory to an overflow filter of fixed size. A peer in the overflow is
// remembered for up to three grace periods after its close instead of one,
// and a peer never closed may test as remembered (see closeFilter), so a
// flood can delay our dials of unrelated peers, never bring back one it
// turned away.
type recentCloses struct {
	until    map[peerid.ID]time.Time
	order    []recentClose // closing order; deadlines are non-decreasing in practice
	overflow *closeFilter  // nil until the exact memory first overflows
}

type recentClose struct {
	id    peerid.ID
	until time.Time
}

// add remembers id, closed at now, until until.
func (r *recentCloses) add(id peerid.ID, until, now time.Time) {
	if r.until == nil {
		r.until = make(map[peerid.ID]time.Time)
	}
	r.until[id] = until
	r.order = append(r.order, recentClose{id, until})
	r.forget(now)
}

// has reports whether id was closed and its deadline is after now.
func (r *recentCloses) has(id peerid.ID, now time.Time) bool {
	r.forget(now)
	if until, ok := r.until[id]; ok && now.Before(until) {
		return true
	}
	return r.overflow != nil && r.overflow.has(id, now)
}

// forget drops the entries expired at now from the front, and moves the
// oldest live ones beyond maxRecentCloses to the overflow filter.
func (r *recentCloses) forget(now time.Time) {
	n := 0
	for n < len(r.order) && (len(r.order)-n > maxRecentCloses || !now.Before(r.order[n].until)) {
		e := r.order[n]
		if r.until[e.id] == e.until {
			delete(r.until, e.id)
			if now.Before(e.until) {
				if r.overflow == nil {
					r.overflow = newCloseFilter()
				}
				r.overflow.add(e.id, e.until, now)
			}
		}
		n++
	}
	if n > 0 {
		r.order = append(r.order[:0], r.order[n:]...)
	}
}

// len returns how many peers the exact memory holds.
func (r *recentCloses) len() int { return len(r.until) }

// closeFilterBits is the size of each of a closeFilter's two Bloom filters
// (64 KiB each), and closeFilterHashes the bits set per peer. With n peers
// in one filter, a peer never added tests as present with probability
// (1 - e^(-4n/2^19))^4: 3·10⁻⁵ at n = 10,000, 1 % at n = 50,000.
const (
	closeFilterBits   = 1 << 19
	closeFilterHashes = 4
)

// closeFilter remembers hashed peer ids in fixed memory, in two generations
// of Bloom filter: peers are added to the newer one; the older one is
// cleared and reused once every deadline it holds has passed. A peer is
// thus never forgotten before its deadline, and is remembered until the
// last deadline of its generation.
type closeFilter struct {
	seed  maphash.Seed // random per filter: ids cannot be chosen to collide
	gens  [2]bloom     // gens[newer] takes new peers
	newer int
}

type bloom struct {
	bits []uint64
	last time.Time // the latest deadline added; the generation holds nothing after it
}

func newCloseFilter() *closeFilter {
	f := &closeFilter{seed: maphash.MakeSeed()}
	for i := range f.gens {
		f.gens[i].bits = make([]uint64, closeFilterBits/64)
	}
	return f
}

// add remembers id until until. A generation receives peers only while the
// other one still holds a live deadline, so that it never outlives its own
// deadlines by more than about a grace period.
func (f *closeFilter) add(id peerid.ID, until, now time.Time) {
	older := &f.gens[1-f.newer]
	if !now.Before(older.last) {
		clear(older.bits)
		older.last = time.Time{}
		f.newer = 1 - f.newer
	}
	g := &f.gens[f.newer]
	h := maphash.String(f.seed, string(id))
	for i := range uint64(closeFilterHashes) {
		b := f.index(h, i)
		g.bits[b/64] |= 1 << (b % 64)
	}
	if until.After(g.last) {
		g.last = until
	}
}

func (f *closeFilter) has(id peerid.ID, now time.Time) bool {
	h := maphash.String(f.seed, string(id))
	for gi := range f.gens {
		g := &f.gens[gi]
		if !now.Before(g.last) {
			continue
		}
		hit := true
		for i := range uint64(closeFilterHashes) {
			if b := f.index(h, i); g.bits[b/64]&(1<<(b%64)) == 0 {
				hit = false
				break
			}
		}
		if hit {
			return true
		}
	}
	return false
}

// index is the i-th bit of hash h (double hashing: h1 + i·h2, h2 odd).
func (f *closeFilter) index(h, i uint64) uint64 {
	h1, h2 := h&0xffffffff, h>>32|1
	return (h1 + i*h2) % closeFilterBits
}
