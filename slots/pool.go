package slots

import (
	"fmt"
	"math"
	"net/netip"
	"sync"
	"time"

	"github.com/wakupm/wakupm/peerid"
)

// Client is who asks for a slot.
type Client struct {
	Peer peerid.ID
	// Addr is the client's IP address. Clients whose address is unknown (the
	// zero Addr) share one prefix group.
	Addr netip.Addr
	// Relay marks a relay peer. Relay peers are budgeted by RelayInbound and
	// RelayOutbound and never take reserved slots.
	Relay bool
}

// Lease is a granted slot. It is a small value; keep it to Refresh and
// Release it. A Lease stays valid until it expires or is released; after
// that every call with it is a no-op (or ErrLeaseGone), even once the slot
// is leased again.
type Lease struct {
	Service Service
	Peer    peerid.ID
	slot    int32
	gen     uint32
}

// Pool is the slot pool of one service: a fixed capacity, caps per peer and
// per address prefix, and leases that expire TTL after their last activity.
//
// Pool is a pure decision core: it reads no clock (every call takes now),
// does no I/O and starts no goroutine. Time is taken as non-decreasing: a
// now earlier than one already seen is treated as the latest seen. All
// methods are safe for concurrent use, and Admit is atomic: a full pool never
// over-admits.
type Pool struct {
	service      Service
	capacity     int
	maxPerPeer   int
	maxPerPrefix int
	v4Bits       int
	v6Bits       int
	ttl          time.Duration

	mu       sync.Mutex
	now      time.Time
	slots    []slot
	free     []int32 // stack of free slot indexes
	head     int32   // live slots in expiry order, earliest first
	tail     int32
	inUse    int
	byPeer   map[peerid.ID]peerSlots
	byPrefix map[prefixKey]int32
	counts   PoolCounts
}

// PoolCounts are cumulative event counts of a Pool.
type PoolCounts struct {
	Admitted uint64
	Released uint64
	Expired  uint64
	Rejected [NumReasons]uint64 // indexed by Reason
}

// PoolStats is a snapshot of a Pool.
type PoolStats struct {
	Service  Service
	Capacity int
	InUse    int
	PoolCounts
}

// NewPool returns the pool of service s with capacity slots.
func NewPool(s Service, capacity int, opts ...PoolOption) (*Pool, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("%w: unknown service %d", ErrInvalidPool, s)
	}
	if capacity < 0 || capacity > math.MaxInt32 {
		return nil, fmt.Errorf("%w: capacity %d out of range [0, %d]", ErrInvalidPool, capacity, math.MaxInt32)
	}
	cfg := poolConfig{
		maxPerPeer: DefaultMaxPerPeer,
		v4Bits:     DefaultIPv4PrefixLen,
		v6Bits:     DefaultIPv6PrefixLen,
		ttl:        DefaultTTL,
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if !cfg.prefixSet {
		cfg.maxPerPrefix = max(1, capacity*DefaultPrefixShare/100)
	}
	p := &Pool{
		service:      s,
		capacity:     capacity,
		maxPerPeer:   cfg.maxPerPeer,
		maxPerPrefix: cfg.maxPerPrefix,
		v4Bits:       cfg.v4Bits,
		v6Bits:       cfg.v6Bits,
		ttl:          cfg.ttl,
		slots:        make([]slot, capacity),
		free:         make([]int32, capacity),
		head:         none,
		tail:         none,
		byPeer:       make(map[peerid.ID]peerSlots, capacity),
		byPrefix:     make(map[prefixKey]int32, capacity),
	}
	for i := range p.free {
		p.free[i] = int32(capacity - 1 - i) // pop order 0, 1, 2, ...
	}
	return p, nil
}

// Service returns the pool's service.
func (p *Pool) Service() Service { return p.service }

// Capacity returns the number of slots.
func (p *Pool) Capacity() int { return p.capacity }

// TTL returns how long a lease lives after its last activity.
func (p *Pool) TTL() time.Duration { return p.ttl }

// MaxPerPeer returns the per-peer cap (0: no cap).
func (p *Pool) MaxPerPeer() int { return p.maxPerPeer }

// MaxPerPrefix returns the per-prefix cap (0: no cap).
func (p *Pool) MaxPerPrefix() int { return p.maxPerPrefix }

// Prefix returns the prefix group of addr under the pool's prefix lengths.
func (p *Pool) Prefix(addr netip.Addr) netip.Prefix {
	return prefixOf(addr, p.v4Bits, p.v6Bits)
}

// Admit grants c a new lease, valid until now+TTL unless refreshed, or
// returns a *Rejection. It never evicts another lease.
func (p *Pool) Admit(c Client, now time.Time) (Lease, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now = p.advance(now)
	return p.admitLocked(c, now)
}

// Renew refreshes c's most recent live lease and returns it; a client
// without one is admitted as by Admit. A server calls Renew for every request
// of a client, so a repeated request neither takes a second slot nor hits
// the per-peer cap.
func (p *Pool) Renew(c Client, now time.Time) (Lease, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now = p.advance(now)
	if ps, ok := p.byPeer[c.Peer]; ok && !c.Relay {
		i := ps.first
		p.touch(i, now)
		return Lease{Service: p.service, Peer: c.Peer, slot: i, gen: p.slots[i].gen}, nil
	}
	return p.admitLocked(c, now)
}

func (p *Pool) admitLocked(c Client, now time.Time) (Lease, error) {
	if c.Relay {
		return Lease{}, p.reject(c, ReasonRelayPeer, 0)
	}
	if len(p.free) == 0 {
		return Lease{}, p.reject(c, ReasonNoSlot, p.capacity)
	}
	ps := p.byPeer[c.Peer]
	if p.maxPerPeer > 0 && int(ps.n) >= p.maxPerPeer {
		return Lease{}, p.reject(c, ReasonPeerLimit, p.maxPerPeer)
	}
	pfx := keyOf(prefixOf(c.Addr, p.v4Bits, p.v6Bits))
	if p.maxPerPrefix > 0 && int(p.byPrefix[pfx]) >= p.maxPerPrefix {
		return Lease{}, p.reject(c, ReasonPrefixLimit, p.maxPerPrefix)
	}

	i := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	s := &p.slots[i]
	s.peer, s.prefix, s.live = c.Peer, pfx, true
	s.expires = now.Add(p.ttl)
	p.pushBack(i)
	// The peer's newest lease goes first, so Renew refreshes it.
	s.peerPrev, s.peerNext = none, none
	if ps.n > 0 {
		s.peerNext = ps.first
		p.slots[ps.first].peerPrev = i
	}
	p.byPeer[c.Peer] = peerSlots{first: i, n: ps.n + 1}
	p.byPrefix[pfx]++
	p.inUse++
	p.counts.Admitted++
	return Lease{Service: p.service, Peer: c.Peer, slot: i, gen: s.gen}, nil
}

func (p *Pool) reject(c Client, r Reason, limit int) error {
	p.counts.Rejected[r]++
	return &Rejection{Service: p.service, Reason: r, Peer: c.Peer, Limit: limit}
}

// Refresh extends a live lease to now+TTL. It returns ErrLeaseGone for a
// lease that expired (at or before now) or was released.
func (p *Pool) Refresh(l Lease, now time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	now = p.advance(now)
	if !p.valid(l) {
		return ErrLeaseGone
	}
	p.touch(l.slot, now)
	return nil
}

// RefreshPeer extends every live lease of id to now+TTL and returns how many
// it extended (0: the peer holds none; a filter server answers its ping
// with 404).
func (p *Pool) RefreshPeer(id peerid.ID, now time.Time) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	now = p.advance(now)
	ps := p.byPeer[id]
	for i, k := ps.first, int32(0); k < ps.n; i, k = p.slots[i].peerNext, k+1 {
		p.touch(i, now)
	}
	return int(ps.n)
}

// Release frees a lease's slot at once. It reports whether the lease was
// live; releasing twice, or after expiry, is a no-op.
func (p *Pool) Release(l Lease) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.valid(l) {
		return false
	}
	p.free1(l.slot)
	p.counts.Released++
	return true
}

// ReleasePeer frees every lease of id (call it when the peer disconnects)
// and returns how many it freed.
func (p *Pool) ReleasePeer(id peerid.ID) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for {
		ps, ok := p.byPeer[id]
		if !ok {
			return n
		}
		p.free1(ps.first)
		p.counts.Released++
		n++
	}
}

// Expire frees every lease whose expiry is at or before now and returns how
// many. Admit, Renew, Refresh and Holds expire lazily, so calling Expire is
// only needed to return slots promptly for metrics and to notice idle peers.
func (p *Pool) Expire(now time.Time) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	before := p.counts.Expired
	p.advance(now)
	return int(p.counts.Expired - before)
}

// Live reports whether l is live at now (not released, and now is before its
// expiry).
func (p *Pool) Live(l Lease, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advance(now)
	return p.valid(l)
}

// Holds reports how many live leases id holds at now.
func (p *Pool) Holds(id peerid.ID, now time.Time) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advance(now)
	return int(p.byPeer[id].n)
}

// Expiry returns when l expires unless refreshed, and whether it is live.
func (p *Pool) Expiry(l Lease) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.valid(l) {
		return time.Time{}, false
	}
	return p.slots[l.slot].expires, true
}

// Stats returns a snapshot at now (expired leases are freed first).
func (p *Pool) Stats(now time.Time) PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advance(now)
	return PoolStats{Service: p.service, Capacity: p.capacity, InUse: p.inUse, PoolCounts: p.counts}
}
