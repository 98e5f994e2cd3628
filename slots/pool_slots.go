package slots

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
)

// The slot bookkeeping of a Pool: every live slot sits in one expiry list
// (earliest expiry first) and in its peer's list; free slots sit on a stack.

const none = int32(-1)

type slot struct {
	peer       peerid.ID
	prefix     prefixKey
	expires    time.Time
	gen        uint32
	live       bool
	prev, next int32 // expiry list
	peerNext   int32 // the peer's other slots
	peerPrev   int32
}

type peerSlots struct {
	first int32
	n     int32
}

// advance moves the pool's clock to now (never backwards), frees the leases
// that expired by then, and returns the pool's clock.
func (p *Pool) advance(now time.Time) time.Time {
	if now.After(p.now) {
		p.now = now
	}
	for p.head != none && !p.slots[p.head].expires.After(p.now) {
		p.free1(p.head)
		p.counts.Expired++
	}
	return p.now
}

func (p *Pool) valid(l Lease) bool {
	if l.slot < 0 || int(l.slot) >= len(p.slots) || l.Service != p.service {
		return false
	}
	s := &p.slots[l.slot]
	return s.live && s.gen == l.gen && s.peer == l.Peer
}

// touch moves live slot i to the back of the expiry list with a fresh expiry.
// Expiries stay sorted because the pool's clock never goes back and the TTL
// is fixed.
func (p *Pool) touch(i int32, now time.Time) {
	p.unlink(i)
	p.slots[i].expires = now.Add(p.ttl)
	p.pushBack(i)
}

func (p *Pool) pushBack(i int32) {
	s := &p.slots[i]
	s.prev, s.next = p.tail, none
	if p.tail != none {
		p.slots[p.tail].next = i
	} else {
		p.head = i
	}
	p.tail = i
}

func (p *Pool) unlink(i int32) {
	s := &p.slots[i]
	if s.prev != none {
		p.slots[s.prev].next = s.next
	} else {
		p.head = s.next
	}
	if s.next != none {
		p.slots[s.next].prev = s.prev
	} else {
		p.tail = s.prev
	}
	s.prev, s.next = none, none
}

// free1 returns live slot i to the free stack and drops it from every index.
func (p *Pool) free1(i int32) {
	s := &p.slots[i]
	p.unlink(i)

	ps := p.byPeer[s.peer]
	if s.peerPrev != none {
		p.slots[s.peerPrev].peerNext = s.peerNext
	} else {
		ps.first = s.peerNext
	}
	if s.peerNext != none {
		p.slots[s.peerNext].peerPrev = s.peerPrev
	}
	if ps.n--; ps.n == 0 {
		delete(p.byPeer, s.peer)
	} else {
		p.byPeer[s.peer] = ps
	}
	if c := p.byPrefix[s.prefix] - 1; c == 0 {
		delete(p.byPrefix, s.prefix)
	} else {
		p.byPrefix[s.prefix] = c
	}

	s.live = false
	s.gen++
	s.peer = ""
	p.free = append(p.free, i)
	p.inUse--
}
