package selection

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// pool is the sticky set of service peers of one (protocol, shard).
type pool struct {
	key      poolKey
	members  []poolMember // pinned members first
	target   int          // the largest count asked of the pool
	policy   Policy       // of the last request, used to refill
	live     int          // connected members
	degraded bool         // live < target, reported
	departed []departure  // members that left, waiting for their replacement
	active   peerid.ID    // first member at the last look (store-node notifications)
}

type poolMember struct {
	id     peerid.ID
	rec    *book.Peer // the book's record at the last look; see record
	live   bool       // connected at the last look
	pinned bool
}

type departure struct {
	id      peerid.ID
	kind    NotificationKind
	outcome Outcome
}

func (pl *pool) index(id peerid.ID) int {
	for i := range pl.members {
		if pl.members[i].id == id {
			return i
		}
	}
	return -1
}

func (c *Core) poolFor(k poolKey, now time.Time) *pool {
	if pl := c.pools[k]; pl != nil {
		return pl
	}
	pl := &pool{key: k, members: make([]poolMember, 0, 4)}
	c.pools[k] = pl
	c.poolList = append(c.poolList, pl)
	return pl
}

func (c *Core) shardOf(k poolKey) shardmesh.Shard {
	return shardmesh.Shard{Cluster: c.cfg.Cluster, Index: k.shard}
}

func (c *Core) isLive(id peerid.ID) bool {
	p := c.book.Get(id)
	return p != nil && p.Connectedness() == book.Connected
}

// record returns m's book record (nil when the book has none), checking the
// cached pointer against the book's slot table instead of hashing the id:
// a record stays at its slot until removed, and a removed record is never
// put back, so a match proves the cache is current. This keeps the sticky
// path of Select to array reads.
func (c *Core) record(m *poolMember) *book.Peer {
	if p := m.rec; c.book.Holds(p) {
		return p
	}
	m.rec = c.book.Get(m.id)
	return m.rec
}

func (c *Core) memberLive(m *poolMember) bool {
	p := c.record(m)
	return p != nil && p.Connectedness() == book.Connected
}

// maintain brings pl up to date at now: members whose connection was lost
// are handed to lostConnection (reported as OutcomeDisconnected, which the
// protocol's rule may count, unless excused: online.go),
// members no longer eligible are released, the pool is refilled up to its
// target (never with avoid), departures are paired with their replacements
// in notifications, and the pool's live count, degradation and the shard's health
// are updated.
func (c *Core) maintain(pl *pool, avoid peerid.ID, now time.Time) {
	ref := pl.key.ref
	// 1. Lost connections. Mark the peer down in every pool of the protocol
	// first, so that a peer in pools of several shards counts one failure.
	lost := c.lost[:0]
	for i := range pl.members {
		m := &pl.members[i]
		if m.live && !c.memberLive(m) {
			lost = append(lost, m.id)
		}
	}
	if len(lost) > 0 {
		lost = append([]peerid.ID(nil), lost...) // reporting may re-enter maintain
		for _, id := range lost {
			c.markDown(id, ref)
		}
		for _, id := range lost {
			c.lostConnection(id, ref, now)
		}
	}
	// 2. Members no longer eligible.
	for i := 0; i < len(pl.members); {
		if c.stillEligible(pl, &pl.members[i], now) {
			i++
			continue
		}
		pl.departed = append(pl.departed, departure{id: pl.members[i].id, kind: NotifyPeerReleased})
		c.stats.released[ref]++
		c.removeMember(pl, i)
	}
	// 3. Refill, and tell who replaced whom.
	added := c.fill(pl, avoid, now)
	for k, d := range pl.departed {
		e := Notification{Kind: d.kind, Protocol: c.protos[ref].id, Shard: c.shardOf(pl.key), Peer: d.id, Outcome: d.outcome}
		if k < len(added) {
			e.Replacement = added[k]
		}
		c.updateLive(pl)
		e.Live, e.Target = pl.live, pl.target
		c.notify(e)
	}
	pl.departed = pl.departed[:0]
	// 4. State.
	c.order(pl)
	c.updateState(pl)
	c.storeNodeEvents(pl)
}

// markDown records that id is not live in every pool of protocol ref.
func (c *Core) markDown(id peerid.ID, ref book.ProtocolRef) {
	for _, pl := range c.poolList {
		if pl.key.ref != ref {
			continue
		}
		if i := pl.index(id); i >= 0 && pl.members[i].live {
			pl.members[i].live = false
			c.updateState(pl)
		}
	}
}

// stillEligible reports whether a member may stay in the pool: it has not
// been benched, and the book still says it serves the protocol
// on the shard of our cluster (pinned members are trusted for that).
func (c *Core) stillEligible(pl *pool, m *poolMember, now time.Time) bool {
	ref := pl.key.ref
	if c.benched(m.id, ref, now) {
		return false
	}
	p := c.record(m)
	connected := p != nil && p.Connectedness() == book.Connected
	if c.cfg.ConnectedOnly && !connected {
		return false
	}
	if m.pinned {
		return true
	}
	if p == nil || !p.Supports(ref) {
		return false
	}
	if cl, known := p.Cluster(); known && cl != c.cfg.Cluster {
		return false
	}
	shards, src := p.Shards()
	if src == book.ShardsUnknown {
		return c.cfg.UnknownShards != UnknownShardsNever
	}
	return shards.Contains(pl.key.shard)
}

// fill adds eligible peers until the pool reaches its target and returns
// the added ids (valid until the next pick).
func (c *Core) fill(pl *pool, avoid peerid.ID, now time.Time) []peerid.ID {
	need := pl.target - len(pl.members)
	if need <= 0 {
		return nil
	}
	ref := pl.key.ref
	c.pick = c.pick[:0]
	c.candidates(ref, pl.key.shard, pl.policy, need, nil, pl.members, avoid, now)
	for _, id := range c.pick {
		m := poolMember{id: id, pinned: c.isPinned(ref, pl.key.shard, id)}
		m.live = c.memberLive(&m)
		pl.members = append(pl.members, m)
		if c.inPools[id]++; c.inPools[id] == 1 {
			c.book.Keep(id, true) // a pool member is never evicted for capacity
			if c.onMembership != nil {
				c.onMembership(id, true)
			}
		}
	}
	c.order(pl)
	return c.pick
}

// order keeps pinned members first and, for PolicyLowestRTT, the others by
// RTT (a stable insertion sort of a handful of members).
func (c *Core) order(pl *pool) {
	ms := pl.members
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && c.before(pl, &ms[j], &ms[j-1]); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

func (c *Core) before(pl *pool, a, b *poolMember) bool {
	if a.pinned != b.pinned {
		return a.pinned
	}
	if pl.policy != PolicyLowestRTT || a.pinned {
		return false
	}
	pa, pb := c.record(a), c.record(b)
	if pa == nil || pb == nil {
		return pa != nil
	}
	return c.fasterThan(pa, pb)
}

func (c *Core) isPinned(ref book.ProtocolRef, shard uint16, id peerid.ID) bool {
	for _, p := range c.pinnedFor(ref, shard) {
		if p == id {
			return true
		}
	}
	return false
}

func (c *Core) removeMember(pl *pool, i int) {
	id := pl.members[i].id
	pl.members = append(pl.members[:i], pl.members[i+1:]...)
	if c.inPools[id]--; c.inPools[id] <= 0 {
		delete(c.inPools, id)
		c.book.Keep(id, false)
		if c.onMembership != nil {
			c.onMembership(id, false)
		}
	}
}

func (c *Core) updateLive(pl *pool) {
	live := 0
	for i := range pl.members {
		if pl.members[i].live {
			live++
		}
	}
	pl.live = live
}

// updateState recounts live members, reports degradation and restoration,
// and updates the shard's health.
func (c *Core) updateState(pl *pool) {
	for i := range pl.members {
		pl.members[i].live = c.memberLive(&pl.members[i])
	}
	c.updateLive(pl)
	switch degraded := pl.live < pl.target; {
	case degraded && !pl.degraded:
		pl.degraded = true
		c.notify(Notification{Kind: NotifyPoolDegraded, Protocol: c.protos[pl.key.ref].id, Shard: c.shardOf(pl.key), Live: pl.live, Target: pl.target})
	case !degraded && pl.degraded:
		pl.degraded = false
		c.notify(Notification{Kind: NotifyPoolRestored, Protocol: c.protos[pl.key.ref].id, Shard: c.shardOf(pl.key), Live: pl.live, Target: pl.target})
	}
	c.updateHealth(pl.key)
}

// PoolMember is one member of a sticky pool.
type PoolMember struct {
	ID peerid.ID
	// Live: connected, as far as the book knows.
	Live bool
	// Pinned: one of the protocol's pinned peers.
	Pinned bool
}

// Pool returns the members of the pool of (proto, shard), pinned first;
// nil when there is no such pool.
func (c *Core) Pool(proto string, shard shardmesh.Shard) []PoolMember {
	ref, ok := c.book.Protocol(proto)
	if !ok || shard.Cluster != c.cfg.Cluster {
		return nil
	}
	pl := c.pools[poolKey{ref, shard.Index}]
	if pl == nil {
		return nil
	}
	out := make([]PoolMember, len(pl.members))
	for i, m := range pl.members {
		out[i] = PoolMember{ID: m.id, Live: c.isLive(m.id), Pinned: m.pinned}
	}
	return out
}

// PoolPeers returns every peer in some pool, each once, in pool order (for
// the keep-alive).
func (c *Core) PoolPeers() []peerid.ID {
	out := make([]peerid.ID, 0, len(c.inPools))
	seen := make(map[peerid.ID]bool, len(c.inPools))
	for _, pl := range c.poolList {
		for _, m := range pl.members {
			if !seen[m.id] {
				seen[m.id] = true
				out = append(out, m.id)
			}
		}
	}
	return out
}

// InPool reports whether id is a member of any pool.
func (c *Core) InPool(id peerid.ID) bool { return c.inPools[id] > 0 }

// OnPoolMembership calls f when a peer joins its first pool (true) and
// leaves its last (false), synchronously, inside the Core call that made
// the change: a full node's relay Manager spares its service peers from
// relay pruning with it (peermanager Manager.NewSelector). f must not call
// the Core.
func (c *Core) OnPoolMembership(f func(id peerid.ID, inPool bool)) { c.onMembership = f }
