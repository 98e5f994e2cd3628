package relay

import (
	"slices"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
)

// peerState is what the relay core keeps about one book record between
// steps; the record itself holds only what is known of the peer. The core
// keeps these in a slice indexed by the record's slot (Peer.Slot), so that
// its hot paths read an array, never a map.
type peerState struct {
	// rec is the record this state belongs to. A slot whose record was
	// removed may hold a new record: any other *Peer there means "no state
	// yet" (records are never reused, so the pointer tells them apart).
	rec *book.Peer

	mark      uint32 // epoch stamp of a candidate pool or a prune plan
	service   bool   // in use as a service peer: never pruned as relay
	protected bool   // the core told the connection manager to protect it
	// pruneCooldownUntil: we pruned the peer or it closed on us; the
	// coverage strategy dials it before then only when nothing else is
	// left (Config.PruneCooldown).
	pruneCooldownUntil time.Time
	// earlyCloseUntil: the connection came from our dial; if the peer
	// closes it before then, the dial failed after all and its failure
	// count goes on from failuresBeforeConn (Config.EarlyCloseWindow).
	earlyCloseUntil    time.Time
	failuresBeforeConn int
	// announcedAt: when the core last took the peer's gossipsub
	// announcements (TopicsAnnounced, past the grace). Evidence that
	// predates the current connection says nothing of it.
	announcedAt time.Time
	// failedUnseen: our last dial of the peer failed and discovery has
	// not returned it since (Config.DeferFailedUnseen).
	failedUnseen bool
}

// state returns p's state, a zero one when the core has none for p yet.
// The common case (the state exists) inlines to a bounds check and a
// pointer comparison.
func (c *Core) state(p *book.Peer) *peerState {
	if i := p.Slot(); i < len(c.states) && c.states[i].rec == p {
		return &c.states[i]
	}
	return c.newState(p)
}

// newState gives p a zero state at its slot, growing the table when the
// book has grown past it (amortised like append: steady-state steps do
// not allocate).
func (c *Core) newState(p *book.Peer) *peerState {
	i := p.Slot()
	if i >= len(c.states) {
		old := len(c.states)
		c.states = slices.Grow(c.states, i+1-old)[:i+1]
		clear(c.states[old:])
	}
	c.states[i] = peerState{rec: p}
	return &c.states[i]
}

// inPruneCooldown reports whether p is a last-resort candidate at now: we
// pruned it, or it closed on us, less than PruneCooldown ago.
func (c *Core) inPruneCooldown(p *book.Peer, now time.Time) bool {
	return now.Before(c.state(p).pruneCooldownUntil)
}

// deferred reports whether p is a last-resort candidate at now: in its
// prune cooldown, or (DeferFailedUnseen) failed and not rediscovered.
func (c *Core) deferred(p *book.Peer, now time.Time) bool {
	st := c.state(p)
	return now.Before(st.pruneCooldownUntil) || (c.cfg.DeferFailedUnseen && st.failedUnseen)
}

// InPruneCooldown reports whether the core keeps peer id as a last resort
// at now: it pruned the peer, or the peer closed the connection, less than
// Config.PruneCooldown ago. (The service-peer selector benches a replaced
// peer, selection.Core.BenchedUntil: another matter.)
func (c *Core) InPruneCooldown(id peerid.ID, now time.Time) bool {
	p := c.book.Get(id)
	return p != nil && c.inPruneCooldown(p, now)
}

// Protected reports whether the core asked the connection manager to
// protect peer id (it holds up a shard's floor, or is static).
func (c *Core) Protected(id peerid.ID) bool {
	p := c.book.Get(id)
	return p != nil && c.state(p).protected
}

// setProtected records p's protection and emits the action that changes
// it, if any.
func (c *Core) setProtected(p *book.Peer, protect bool) {
	st := c.state(p)
	if st.protected == protect {
		return
	}
	st.protected = protect
	kind := ActUnprotect
	if protect {
		kind = ActProtect
	}
	c.emit(Action{Kind: kind, Peer: p.ID()})
}
