package slots

import (
	"net/netip"
	"time"

	"github.com/wakupm/wakupm/peerid"
)

// Ledger is the connection-level core of a gater (slots/gater wraps it for
// libp2p): it classifies connected peers against a Budget and decides which
// connections to refuse or close. It counts a peer when its first
// connection completes and forgets it when its last connection closes, so
// its counts cannot drift (go-waku counts before the handshake and uncounts
// on every close: go-waku waku/v2/node/connection_gater.go:80-116). Its caller serialises access; it
// reads no clock.
//
// A shell calls CheckAccept on a raw inbound connection, CheckDial before
// dialling, CheckSecured after the handshake, Connected and Disconnected as
// connections complete and close, MarkRelay when identify lists a relay
// protocol, Leased when a Pool grants the peer a lease, and Sweep
// periodically; it closes every peer a non-zero Refusal or a Closed names.
type Ledger struct {
	budget     Budget
	grace      time.Duration
	maxWaiting int
	maxWait    time.Duration

	peers   map[peerid.ID]*ledgerPeer
	coloc   colocation // inbound peers counted against a class, per prefix
	classes [NumClasses]int
	refused [NumRefusals]uint64
	closed  recentCloses // peers closed less than a grace period ago
}

type ledgerPeer struct {
	class    Class
	inbound  bool
	relay    bool // identified as a relay peer
	conns    int
	group    group
	deadline time.Time // ClassPending only
	idle     bool      // ClassPending only: a service client whose leases ended
	since    time.Time // when the peer connected
	denied   bool      // a pool refused it a lease (see Denied)
	waiting  bool      // ClassPending only: kept past its grace (see Sweep)
}

// LedgerConfig configures a Ledger.
type LedgerConfig struct {
	// Grace is how long an inbound peer may stay pending.
	Grace time.Duration
	// MaxPerPrefix caps inbound peers per address prefix; 0 disables.
	MaxPerPrefix int
	// IPv4PrefixLen and IPv6PrefixLen group addresses for MaxPerPrefix.
	IPv4PrefixLen, IPv6PrefixLen int
	// MaxPerIPv6Site caps inbound IPv6 peers per IPv6SitePrefixLen prefix
	// as well, a looser cap on a wider prefix (a /48 is one end site);
	// 0 disables.
	MaxPerIPv6Site    int
	IPv6SitePrefixLen int
	// MaxWaiting bounds the pending peers kept past their grace period
	// because they have not asked for a service yet (a light client that
	// connects before it subscribes); 0 keeps none, as before.
	MaxWaiting int
	// MaxWait is how long such a peer may stay connected without a lease
	// in all; 0 means DefaultTTL.
	MaxWait time.Duration
}

// NewLedger returns an empty ledger for b. b must be valid.
func NewLedger(b Budget, cfg LedgerConfig) *Ledger {
	maxWait := cfg.MaxWait
	if maxWait <= 0 {
		maxWait = DefaultTTL
	}
	return &Ledger{
		budget:     b,
		grace:      cfg.Grace,
		maxWaiting: cfg.MaxWaiting,
		maxWait:    maxWait,
		peers:      make(map[peerid.ID]*ledgerPeer),
		coloc:      newColocation(cfg),
	}
}

func (l *Ledger) inbound() int {
	return l.classes[ClassPending] + l.classes[ClassRelay] + l.classes[ClassService]
}

// CheckAccept decides on a raw inbound connection from addr, before the
// handshake (peer unknown): only the prefix and site caps apply here.
func (l *Ledger) CheckAccept(addr netip.Addr) Refusal {
	if l.coloc.full(l.coloc.groupOf(addr)) {
		return l.refuse(RefusePrefix)
	}
	return 0
}

// CheckDial decides whether we may dial id at now: not a peer the ledger
// closed less than a grace period ago, and only with room under
// Budget.DialLimit.
func (l *Ledger) CheckDial(id peerid.ID, now time.Time) Refusal {
	if p, ok := l.peers[id]; ok {
		return l.again(p)
	}
	if l.closed.has(id, now) {
		return l.refuse(RefuseRecentlyClosed)
	}
	if l.outboundFull() {
		return l.refuse(RefuseOutboundFull)
	}
	return 0
}

// again decides on another connection of a connected peer: allowed, unless
// the peer is being closed.
func (l *Ledger) again(p *ledgerPeer) Refusal {
	if p.class == ClassClosing {
		return l.refuse(RefuseRecentlyClosed)
	}
	return 0
}

// outboundFull reports whether a new outbound peer would exceed
// Budget.DialLimit. Inbound relay peers count too: outbound peers may use
// the relay share they leave unused, but not the reserved slots.
func (l *Ledger) outboundFull() bool {
	return l.classes[ClassOutbound]+l.classes[ClassRelay] >= l.budget.DialLimit()
}

// CheckSecured decides on an authenticated connection before it is used.
// It changes no count: Connected does, once the connection completes.
func (l *Ledger) CheckSecured(dir Direction, id peerid.ID, addr netip.Addr) Refusal {
	if p, ok := l.peers[id]; ok {
		return l.again(p)
	}
	if r := l.admission(dir == Inbound, addr); r != 0 {
		return l.refuse(r)
	}
	return 0
}

func (l *Ledger) admission(inbound bool, addr netip.Addr) Refusal {
	if !inbound {
		if l.outboundFull() {
			return RefuseOutboundFull
		}
		return 0
	}
	if l.coloc.full(l.coloc.groupOf(addr)) {
		return RefusePrefix
	}
	// Beyond the relay target an inbound peer needs a free reserved slot;
	// together that is the inbound limit.
	if l.inbound() >= l.budget.InboundLimit() {
		return RefuseInboundFull
	}
	return 0
}

// Connected records a completed connection. It returns a non-zero Refusal
// when the connection must be closed because concurrent handshakes overran
// the budget; the peer is then counted as closing until Disconnected.
func (l *Ledger) Connected(dir Direction, id peerid.ID, addr netip.Addr, now time.Time) Refusal {
	if p, ok := l.peers[id]; ok {
		p.conns++
		return l.again(p)
	}
	inbound := dir == Inbound
	p := &ledgerPeer{inbound: inbound, conns: 1, group: l.coloc.groupOf(addr), since: now}
	l.peers[id] = p
	if r := l.admission(inbound, addr); r != 0 {
		l.close(id, p, now)
		return l.refuse(r)
	}
	if !inbound {
		l.setClass(p, ClassOutbound)
		return 0
	}
	p.deadline = now.Add(l.grace)
	l.setClass(p, ClassPending)
	return 0
}

// Disconnected records a closed connection. It reports whether that was the
// peer's last one (the caller then releases the peer's leases).
func (l *Ledger) Disconnected(id peerid.ID) bool {
	p, ok := l.peers[id]
	if !ok {
		return false
	}
	if p.conns--; p.conns > 0 {
		return false
	}
	l.setClass(p, 0)
	delete(l.peers, id)
	return true
}

// MarkRelay records that id is a relay peer, at now. An inbound pending or
// service peer becomes a relay peer if RelayInbound has room; otherwise the
// caller must close it (RefuseRelayFull). released reports that the peer was
// a service client, whose leases the caller must release: relay peers never
// hold reserved slots.
func (l *Ledger) MarkRelay(id peerid.ID, now time.Time) (refusal Refusal, released bool) {
	p, ok := l.peers[id]
	if !ok || p.relay {
		return 0, false
	}
	p.relay = true
	switch p.class {
	case ClassPending, ClassService:
		released = p.class == ClassService
		if l.classes[ClassRelay] >= l.budget.RelayInbound {
			l.close(id, p, now)
			return l.refuse(RefuseRelayFull), released
		}
		l.setClass(p, ClassRelay)
	}
	return 0, released
}

// IsRelay reports whether id is known as a relay peer.
func (l *Ledger) IsRelay(id peerid.ID) bool {
	p, ok := l.peers[id]
	return ok && p.relay
}

// Class returns id's class, or 0 when id is not connected.
func (l *Ledger) Class(id peerid.ID) Class {
	if p, ok := l.peers[id]; ok {
		return p.class
	}
	return 0
}

// Leased records that id obtained a lease: a pending inbound peer becomes a
// service client.
func (l *Ledger) Leased(id peerid.ID) {
	if p, ok := l.peers[id]; ok && p.class == ClassPending {
		p.idle, p.denied, p.waiting = false, false, false
		l.setClass(p, ClassService)
	}
}

// Denied records that a pool refused id a lease: such a peer asked and was
// told no, so it is not kept past its grace period as a waiting light
// client (SLOT-11).
func (l *Ledger) Denied(id peerid.ID) {
	if p, ok := l.peers[id]; ok {
		p.denied = true
	}
}

// CheckReconnect decides on a new inbound connection of id at now: a peer
// the ledger closed less than a grace period ago is refused
// (RefuseRecentlyClosed), so that a client closed at the end of its grace
// period cannot come back at once and be churned again (SLOT-12).
func (l *Ledger) CheckReconnect(id peerid.ID, now time.Time) Refusal {
	if _, ok := l.peers[id]; ok {
		return 0
	}
	if l.closed.has(id, now) {
		return l.refuse(RefuseRecentlyClosed)
	}
	return 0
}

// Closed is a peer a Sweep decided to close, and why.
type Closed struct {
	Peer peerid.ID
	Why  Refusal
}

// Sweep returns the peers to close at now, appended to dst:
//   - pending peers whose grace period ended (RefuseGraceExpired, or
//     RefuseIdle for a former service client), unless isRelay says they
//     are relay peers; a relay peer found beyond RelayInbound is closed
//     (RefuseRelayFull);
//   - service clients for which holds reports no live lease become pending
//     again with a fresh grace period (they are closed at its end);
//   - but a pending peer that never asked for a lease (no Denied, never a
//     service client) is kept past its grace period as a waiting light
//     client while fewer than MaxWaiting peers wait, until MaxWait after it
//     connected (SLOT-11).
//
// Closed peers count as closing until Disconnected.
func (l *Ledger) Sweep(dst []Closed, holds, isRelay func(peerid.ID) bool, now time.Time) []Closed {
	waiting := 0
	for _, p := range l.peers {
		if p.class == ClassPending && p.waiting {
			waiting++
		}
	}
	for id, p := range l.peers {
		switch p.class {
		case ClassService:
			if !holds(id) {
				p.deadline, p.idle = now.Add(l.grace), true
				l.setClass(p, ClassPending)
			}
		case ClassPending:
			if now.Before(p.deadline) {
				continue
			}
			if isRelay(id) {
				if r, _ := l.MarkRelay(id, now); r != 0 {
					dst = append(dst, Closed{Peer: id, Why: r})
				}
				continue
			}
			if p.waiting && now.Before(p.since.Add(l.maxWait)) {
				continue
			}
			if !p.waiting && l.mayWait(p, waiting, now) {
				p.waiting = true
				waiting++
				continue
			}
			if p.waiting {
				waiting--
			}
			why := RefuseGraceExpired
			if p.idle {
				why = RefuseIdle
			}
			l.close(id, p, now)
			dst = append(dst, Closed{Peer: id, Why: l.refuse(why)})
		}
	}
	return dst
}

// mayWait reports whether pending peer p, at the end of its grace period,
// may stay as a waiting light client (SLOT-11): it never asked for a lease
// and was refused none, was never a service client, has been connected for
// less than MaxWait, and fewer than MaxWaiting peers wait already.
func (l *Ledger) mayWait(p *ledgerPeer, waiting int, now time.Time) bool {
	return p.inbound && !p.idle && !p.denied && waiting < l.maxWaiting && now.Before(p.since.Add(l.maxWait))
}

// close marks p as closing and remembers it for a grace period, so that
// CheckDial refuses our own redial of it.
func (l *Ledger) close(id peerid.ID, p *ledgerPeer, now time.Time) {
	l.setClass(p, ClassClosing)
	l.closed.add(id, now.Add(l.grace), now)
}

func (l *Ledger) setClass(p *ledgerPeer, c Class) {
	counted := func(c Class) bool { return c == ClassPending || c == ClassRelay || c == ClassService }
	if p.class != 0 {
		l.classes[p.class]--
		if p.inbound && counted(p.class) {
			l.coloc.count(p.group, -1)
		}
	}
	p.class = c
	if c != 0 {
		l.classes[c]++
		if p.inbound && counted(c) {
			l.coloc.count(p.group, +1)
		}
	}
}

func (l *Ledger) refuse(r Refusal) Refusal {
	l.refused[r]++
	return r
}

// LedgerStats is a snapshot of a Ledger.
type LedgerStats struct {
	// Peers counts connected peers by class (index by Class).
	Peers [NumClasses]int
	// Refused counts refused or closed connections by reason (index by
	// Refusal).
	Refused [NumRefusals]uint64
	// Waiting counts the pending peers kept past their grace period
	// (SLOT-11); they are part of Peers[ClassPending].
	Waiting int
}

// Stats returns a snapshot.
func (l *Ledger) Stats() LedgerStats {
	st := LedgerStats{Peers: l.classes, Refused: l.refused}
	for _, p := range l.peers {
		if p.class == ClassPending && p.waiting {
			st.Waiting++
		}
	}
	return st
}
