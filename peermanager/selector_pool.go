package peermanager

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

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
}

type poolMember struct {
	id     peer.ID
	rec    *book.Peer // the book's record at the last look; see record
	live   bool       // connected at the last look
	pinned bool
}

type departure struct {
	id      peer.ID
	kind    SelectorEventKind
	outcome Outcome
}

func (pl *pool) index(id peer.ID) int {
	for i := range pl.members {
		if pl.members[i].id == id {
			return i
		}
	}
	return -1
}

func (c *SelectorCore) poolFor(k poolKey, now time.Time) *pool {
	if pl := c.pools[k]; pl != nil {
		return pl
	}
	pl := &pool{key: k, members: make([]poolMember, 0, 4)}
	c.pools[k] = pl
	c.poolList = append(c.poolList, pl)
	return pl
}

func (c *SelectorCore) shardOf(k poolKey) shardmesh.Shard {
	return shardmesh.Shard{Cluster: c.cfg.Cluster, Index: k.shard}
}

func (c *SelectorCore) isLive(id peer.ID) bool {
	p := c.book.Get(peerid.ID(id))
	return p != nil && p.Connectedness() == book.Connected
}

// record returns m's book record (nil when the book has none), checking the
// cached pointer against the book's slot table instead of hashing the id:
// a record stays at its slot until removed, and a removed record is never
// put back, so a match proves the cache is current. This keeps the sticky
// path of Select to array reads.
func (c *SelectorCore) record(m *poolMember) *book.Peer {
	if p := m.rec; c.book.Holds(p) {
		return p
	}
	m.rec = c.book.Get(peerid.ID(m.id))
	return m.rec
}

func (c *SelectorCore) memberLive(m *poolMember) bool {
	p := c.record(m)
	return p != nil && p.Connectedness() == book.Connected
}

// maintain brings pl up to date at now: members whose connection was lost
// are reported (OutcomeDisconnected, which the protocol's rule may count),
// members no longer eligible are released, the pool is refilled up to its
// target (never with avoid), departures are paired with their replacements
// in events, and the pool's live count, degradation and the shard's health
// are updated.
func (c *SelectorCore) maintain(pl *pool, avoid peer.ID, now time.Time) {
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
		lost = append([]peer.ID(nil), lost...) // reporting may re-enter maintain
		for _, id := range lost {
			c.markDown(id, ref)
		}
		for _, id := range lost {
			c.report(id, ref, OutcomeDisconnected, now)
		}
	}
	// 2. Members no longer eligible.
	for i := 0; i < len(pl.members); {
		if c.stillEligible(pl, &pl.members[i], now) {
			i++
			continue
		}
		pl.departed = append(pl.departed, departure{id: pl.members[i].id, kind: EventPeerReleased})
		c.stats.released[ref]++
		c.removeMember(pl, i)
	}
	// 3. Refill, and tell who replaced whom.
	added := c.fill(pl, avoid, now)
	for k, d := range pl.departed {
		e := SelectorEvent{Kind: d.kind, Protocol: c.protos[ref].id, Shard: c.shardOf(pl.key), Peer: d.id, Outcome: d.outcome}
		if k < len(added) {
			e.Replacement = added[k]
		}
		c.updateLive(pl)
		e.Live, e.Target = pl.live, pl.target
		c.emit(e)
	}
	pl.departed = pl.departed[:0]
	// 4. State.
	c.order(pl)
	c.updateState(pl)
}

// markDown records that id is not live in every pool of protocol ref.
func (c *SelectorCore) markDown(id peer.ID, ref book.ProtocolRef) {
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
// been told to cool down, and the book still says it serves the protocol
// on the shard of our cluster (pinned members are trusted for that).
func (c *SelectorCore) stillEligible(pl *pool, m *poolMember, now time.Time) bool {
	ref := pl.key.ref
	if c.coolingDown(m.id, ref, now) {
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
func (c *SelectorCore) fill(pl *pool, avoid peer.ID, now time.Time) []peer.ID {
	need := pl.target - len(pl.members)
	if need <= 0 {
		return nil
	}
	ref := pl.key.ref
	c.pick = c.pick[:0]
	c.candidates(ref, pl.key.shard, pl.policy, need, nil, pl.members, avoid, now)
	for _, id := range c.pick {
		m := poolMember{id: id, pinned: c.isPinned(ref, id)}
		m.live = c.memberLive(&m)
		pl.members = append(pl.members, m)
		if c.inPools[id]++; c.inPools[id] == 1 {
			c.book.Keep(peerid.ID(id), true) // a pool member is never evicted for capacity
		}
	}
	c.order(pl)
	return c.pick
}

// order keeps pinned members first and, for PolicyLowestRTT, the others by
// RTT (a stable insertion sort of a handful of members).
func (c *SelectorCore) order(pl *pool) {
	ms := pl.members
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && c.before(pl, &ms[j], &ms[j-1]); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

func (c *SelectorCore) before(pl *pool, a, b *poolMember) bool {
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

func (c *SelectorCore) isPinned(ref book.ProtocolRef, id peer.ID) bool {
	for _, p := range c.protos[ref].policy.Pinned {
		if p == id {
			return true
		}
	}
	return false
}

func (c *SelectorCore) removeMember(pl *pool, i int) {
	id := pl.members[i].id
	pl.members = append(pl.members[:i], pl.members[i+1:]...)
	if c.inPools[id]--; c.inPools[id] <= 0 {
		delete(c.inPools, id)
		c.book.Keep(peerid.ID(id), false)
	}
}

func (c *SelectorCore) updateLive(pl *pool) {
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
func (c *SelectorCore) updateState(pl *pool) {
	for i := range pl.members {
		pl.members[i].live = c.memberLive(&pl.members[i])
	}
	c.updateLive(pl)
	switch degraded := pl.live < pl.target; {
	case degraded && !pl.degraded:
		pl.degraded = true
		c.emit(SelectorEvent{Kind: EventPoolDegraded, Protocol: c.protos[pl.key.ref].id, Shard: c.shardOf(pl.key), Live: pl.live, Target: pl.target})
	case !degraded && pl.degraded:
		pl.degraded = false
		c.emit(SelectorEvent{Kind: EventPoolRestored, Protocol: c.protos[pl.key.ref].id, Shard: c.shardOf(pl.key), Live: pl.live, Target: pl.target})
	}
	c.updateHealth(pl.key)
}

// Report records the outcome of using peer id for protocol proto at now.
// A success resets the peer's failure count; a counted failure increments
// it and replaces the peer once the protocol's MaxFailures is reached; an
// Immediate outcome replaces it at once. Replacing releases the peer from
// every pool of the protocol (all shards), refills them and cools the peer
// down. Outcomes for peers in no pool still count and cool down, so that
// one-off selections avoid them too.
func (c *SelectorCore) Report(id peer.ID, proto protocol.ID, o Outcome, now time.Time) error {
	ref, ok := c.book.Protocol(string(proto))
	if !ok {
		return &SelectionError{Protocol: proto, Reason: ErrUntrackedProtocol}
	}
	if o >= numOutcomes {
		return ErrInvalidRequest
	}
	c.report(id, ref, o, now)
	return nil
}

// ReportPeer applies outcome o to every protocol whose pools hold id (a
// failed keep-alive ping says nothing about one protocol more than
// another). It returns how many protocols it applied to.
func (c *SelectorCore) ReportPeer(id peer.ID, o Outcome, now time.Time) int {
	if o >= numOutcomes || c.inPools[id] == 0 {
		return 0
	}
	var refs uint64 // bit r: protocol r has a pool holding id
	for _, pl := range c.poolList {
		if pl.index(id) >= 0 {
			refs |= 1 << pl.key.ref
		}
	}
	n := 0
	for r := range c.protos {
		if refs&(1<<r) != 0 {
			c.report(id, book.ProtocolRef(r), o, now)
			n++
		}
	}
	return n
}

func (c *SelectorCore) report(id peer.ID, ref book.ProtocolRef, o Outcome, now time.Time) {
	c.stats.outcomes[ref][o]++
	rule := &c.protos[ref].policy.Replace
	key := peerProto{id, ref}
	switch {
	case o == OutcomeSuccess:
		delete(c.failures, key)
	case rule.Immediate.Has(o):
		c.replace(id, ref, o, now)
	case rule.Counted.Has(o):
		n := c.failures[key] + 1
		if rule.MaxFailures > 0 && n >= rule.MaxFailures {
			c.replace(id, ref, o, now)
			return
		}
		c.failures[key] = n
	}
}

// replace cools id down for protocol ref and takes it out of every pool of
// the protocol, refilling each.
func (c *SelectorCore) replace(id peer.ID, ref book.ProtocolRef, o Outcome, now time.Time) {
	rule := &c.protos[ref].policy.Replace
	key := peerProto{id, ref}
	delete(c.failures, key)
	cd := rule.Cooldown
	if o == OutcomeRateLimited && rule.RateLimitCooldown > 0 {
		cd = rule.RateLimitCooldown
	}
	if cd > 0 {
		c.cooldown[key] = now.Add(cd)
	}
	for _, pl := range c.poolList {
		if pl.key.ref != ref {
			continue
		}
		i := pl.index(id)
		if i < 0 {
			continue
		}
		c.removeMember(pl, i)
		pl.departed = append(pl.departed, departure{id: id, kind: EventPeerReplaced, outcome: o})
		c.stats.replacements[ref][o]++
		c.maintain(pl, id, now)
	}
}

// PeerUpdated tells the selector that the book changed about id
// (connected, disconnected, identified, metadata, discovered, removed).
// Pools holding id are brought up to date (a lost connection is reported
// as OutcomeDisconnected) and short pools try to refill. Cost: the number
// of pools times their size, never the book.
func (c *SelectorCore) PeerUpdated(id peer.ID, now time.Time) {
	if c.inPools[id] > 0 {
		// A pinned member may join a pool before the book has its record.
		c.book.Keep(peerid.ID(id), true)
	}
	for _, pl := range c.poolList {
		if len(pl.members) < pl.target || pl.index(id) >= 0 {
			c.maintain(pl, "", now)
		}
	}
}

// Release drops the pool of (proto, shard), e.g. after the client stopped
// using the shard. Its members are released without cooldown.
func (c *SelectorCore) Release(proto protocol.ID, shard shardmesh.Shard) {
	ref, ok := c.book.Protocol(string(proto))
	if !ok || shard.Cluster != c.cfg.Cluster {
		return
	}
	k := poolKey{ref, shard.Index}
	pl := c.pools[k]
	if pl == nil {
		return
	}
	for len(pl.members) > 0 {
		c.removeMember(pl, len(pl.members)-1)
	}
	delete(c.pools, k)
	for i, x := range c.poolList {
		if x == pl {
			c.poolList = append(c.poolList[:i], c.poolList[i+1:]...)
			break
		}
	}
	c.updateHealth(k)
}

// PoolMember is one member of a sticky pool.
type PoolMember struct {
	ID peer.ID
	// Live: connected, as far as the book knows.
	Live bool
	// Pinned: one of the protocol's pinned peers.
	Pinned bool
}

// Pool returns the members of the pool of (proto, shard), pinned first;
// nil when there is no such pool.
func (c *SelectorCore) Pool(proto protocol.ID, shard shardmesh.Shard) []PoolMember {
	ref, ok := c.book.Protocol(string(proto))
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
func (c *SelectorCore) PoolPeers() []peer.ID {
	out := make([]peer.ID, 0, len(c.inPools))
	seen := make(map[peer.ID]bool, len(c.inPools))
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
func (c *SelectorCore) InPool(id peer.ID) bool { return c.inPools[id] > 0 }
