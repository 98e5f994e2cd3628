package slots

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
)

// smallBudget: inbound limit 4 relay + 3 reserved = 7, outbound limit 3.
var smallBudget = Budget{MaxConnections: 14, RelayInbound: 4, RelayOutbound: 4, Reserved: Reserved{Filter: 2, LightPush: 1}} // spare 3

// newTestLedger caps inbound peers at perPrefix per address, and IPv6
// peers at perPrefix+1 per /48 too.
func newTestLedger(perPrefix int) *Ledger {
	return NewLedger(smallBudget, LedgerConfig{Grace: 10 * time.Second, MaxPerPrefix: perPrefix, IPv4PrefixLen: 32, IPv6PrefixLen: 128,
		MaxPerIPv6Site: perPrefix + 1, IPv6SitePrefixLen: 48})
}

var (
	in  = Inbound
	out = Outbound
)

func never(peerid.ID) bool  { return false }
func always(peerid.ID) bool { return true }

func TestLedgerInboundLimit(t *testing.T) {
	l := newTestLedger(0)
	limit := smallBudget.InboundLimit()
	for i := range limit {
		if r := l.CheckSecured(in, pid(i), v4(i)); r != 0 {
			t.Fatalf("peer %d refused: %s", i, r)
		}
		if r := l.Connected(in, pid(i), v4(i), t0); r != 0 {
			t.Fatalf("peer %d closed: %s", i, r)
		}
	}
	if r := l.CheckSecured(in, pid(limit), v4(limit)); r != RefuseInboundFull {
		t.Fatalf("inbound peer %d beyond the limit: %v", limit, r)
	}
	// A second connection of a counted peer is always allowed.
	if r := l.CheckSecured(in, pid(0), v4(0)); r != 0 {
		t.Fatalf("second connection refused: %s", r)
	}
	l.Connected(in, pid(0), v4(0), t0)
	if l.Disconnected(pid(0)) {
		t.Fatal("peer forgotten while a connection is open")
	}
	if !l.Disconnected(pid(0)) {
		t.Fatal("last connection did not forget the peer")
	}
	if r := l.CheckSecured(in, pid(limit), v4(limit)); r != 0 {
		t.Fatalf("room not reusable after a disconnect: %s", r)
	}
	if st := l.Stats(); st.Peers[ClassPending] != limit-1 || st.Refused[RefuseInboundFull] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestLedgerPrefixCountsOnlyCompletedConnections(t *testing.T) {
	l := newTestLedger(2)
	addr := netip.MustParseAddr("203.0.113.5")
	// Many handshakes pass the checks concurrently: none is counted yet.
	for i := range 5 {
		if r := l.CheckSecured(in, pid(i), addr); r != 0 {
			t.Fatalf("handshake %d refused before any completed: %s", i, r)
		}
	}
	// Two complete; the third overruns the cap and must be closed.
	for i := range 2 {
		if r := l.Connected(in, pid(i), addr, t0); r != 0 {
			t.Fatalf("peer %d: %s", i, r)
		}
	}
	if r := l.Connected(in, pid(2), addr, t0); r != RefusePrefix {
		t.Fatalf("third peer on the address: %v, want RefusePrefix", r)
	}
	if r := l.CheckAccept(addr); r != RefusePrefix {
		t.Fatalf("accept from a full address: %v", r)
	}
	// Handshakes that never complete leave nothing behind, and closing
	// the refused peer frees nothing it did not hold.
	l.Disconnected(pid(2))
	l.Disconnected(pid(0))
	if r := l.CheckAccept(addr); r != 0 {
		t.Fatalf("accept after a disconnect: %s", r)
	}
	l.Disconnected(pid(1))
	if len(l.coloc.byPrefix) != 0 || l.inbound() != 0 {
		t.Fatalf("counts drifted: prefixes %v inbound %d", l.coloc.byPrefix, l.inbound())
	}
}

func TestLedgerOutboundLimit(t *testing.T) {
	l := newTestLedger(0)
	// Relay 8 + spare 3, no headroom: with no inbound relay peer, outbound
	// peers may use the whole relay share, beyond RelayOutbound (4).
	limit := smallBudget.DialLimit()
	if limit != 11 {
		t.Fatalf("test premise: dial limit %d, want 11", limit)
	}
	for i := range limit {
		if r := l.CheckDial(pid(i), t0); r != 0 {
			t.Fatalf("dial %d refused: %s", i, r)
		}
		if r := l.Connected(out, pid(i), v4(i), t0); r != 0 {
			t.Fatalf("outbound peer %d closed: %s", i, r)
		}
	}
	if r := l.CheckDial(pid(99), t0); r != RefuseOutboundFull {
		t.Fatalf("dial beyond the dial limit: %v", r)
	}
	if r := l.CheckDial(pid(0), t0); r != 0 {
		t.Fatalf("dial of a connected peer refused: %s", r)
	}
	// Outbound peers leave the inbound room alone.
	if r := l.CheckSecured(in, pid(50), v4(50)); r != 0 {
		t.Fatalf("inbound refused while only outbound is full: %s", r)
	}
	// An inbound relay peer takes back the room an outbound peer freed.
	l.Disconnected(pid(0))
	l.Connected(in, pid(50), v4(50), t0)
	if r, _ := l.MarkRelay(pid(50), t0); r != 0 {
		t.Fatalf("inbound relay peer within RelayInbound closed: %s", r)
	}
	if r := l.CheckDial(pid(98), t0); r != RefuseOutboundFull {
		t.Fatalf("dial into room an inbound relay peer holds: %v", r)
	}
}

// TestLedgerOutboundLimitIncludesHeadroom: with NewBudget's split (no
// spare), the ledger admits outbound peers up to the relay share plus the
// 10 % headroom, as many as the relay manager may dial for shards below
// their floor, and no more.
func TestLedgerOutboundLimitIncludesHeadroom(t *testing.T) {
	b, err := NewBudget(50)
	if err != nil {
		t.Fatal(err)
	}
	l := NewLedger(b, LedgerConfig{Grace: time.Second, IPv4PrefixLen: 32, IPv6PrefixLen: 128})
	want := b.Relay() + 3 // ⌈30 × 0.1⌉
	for i := range want {
		if r := l.CheckSecured(out, pid(i), v4(i)); r != 0 {
			t.Fatalf("outbound peer %d of %d refused (RelayOutbound %d): %s", i, want, b.RelayOutbound, r)
		}
		l.Connected(out, pid(i), v4(i), t0)
	}
	if r := l.CheckSecured(out, pid(want), v4(want)); r != RefuseOutboundFull {
		t.Fatalf("outbound peer beyond relay + headroom: %v", r)
	}
}

func TestLedgerRelayNeverTakesReservedRoom(t *testing.T) {
	l := newTestLedger(0)
	for i := range 7 {
		l.Connected(in, pid(i), v4(i), t0)
	}
	for i := range 4 {
		if r, _ := l.MarkRelay(pid(i), t0); r != 0 {
			t.Fatalf("relay peer %d within RelayInbound closed: %s", i, r)
		}
	}
	// The fifth relay peer would sit in a reserved slot: closed.
	if r, _ := l.MarkRelay(pid(4), t0); r != RefuseRelayFull {
		t.Fatalf("relay peer beyond RelayInbound: %v", r)
	}
	if l.Class(pid(4)) != ClassClosing {
		t.Fatalf("class %s", l.Class(pid(4)))
	}
	// A service client leased before identify is released when it turns
	// out to be a relay peer.
	l.Leased(pid(5))
	if r, released := l.MarkRelay(pid(5), t0); r != RefuseRelayFull || !released {
		t.Fatalf("leased relay peer: %v released %v", r, released)
	}
}

func TestLedgerGraceAtExactBoundary(t *testing.T) {
	l := newTestLedger(0)
	l.Connected(in, pid(1), v4(1), t0)
	l.Connected(in, pid(2), v4(2), t0)
	l.Leased(pid(2))
	if got := l.Sweep(nil, always, never, t0.Add(10*time.Second-time.Nanosecond)); len(got) != 0 {
		t.Fatalf("closed before the grace period ended: %v", got)
	}
	got := l.Sweep(nil, always, never, t0.Add(10*time.Second))
	if len(got) != 1 || got[0] != (Closed{Peer: pid(1), Why: RefuseGraceExpired}) {
		t.Fatalf("closed %v, want only the pending peer", got)
	}
	if l.Stats().Refused[RefuseGraceExpired] != 1 {
		t.Fatal("grace expiry not counted")
	}
	// A second sweep does not close it again.
	if got := l.Sweep(nil, always, never, t0.Add(time.Minute)); len(got) != 0 {
		t.Fatalf("closed twice: %v", got)
	}
}

func TestLedgerIdleServiceClientIsClosedAfterGrace(t *testing.T) {
	l := newTestLedger(0)
	l.Connected(in, pid(1), v4(1), t0)
	l.Leased(pid(1))
	at := t0.Add(5 * time.Minute)
	if got := l.Sweep(nil, never, never, at); len(got) != 0 {
		t.Fatalf("idle client closed without a grace period: %v", got)
	}
	if l.Class(pid(1)) != ClassPending {
		t.Fatalf("idle client class %s", l.Class(pid(1)))
	}
	// It renews within the grace period: kept.
	l.Leased(pid(1))
	if got := l.Sweep(nil, always, never, at.Add(time.Minute)); len(got) != 0 || l.Class(pid(1)) != ClassService {
		t.Fatalf("renewed client: closed %v class %s", got, l.Class(pid(1)))
	}
	// It goes idle again and does not renew: closed at the end of the new
	// grace period, as idle, not as a peer that never took a slot.
	at = at.Add(2 * time.Minute)
	if got := l.Sweep(nil, never, never, at); len(got) != 0 {
		t.Fatalf("idle client closed without a grace period: %v", got)
	}
	got := l.Sweep(nil, never, never, at.Add(10*time.Second))
	if len(got) != 1 || got[0] != (Closed{Peer: pid(1), Why: RefuseIdle}) {
		t.Fatalf("closed %v, want the idle client as %s", got, RefuseIdle)
	}
	if st := l.Stats(); st.Refused[RefuseIdle] != 1 || st.Refused[RefuseGraceExpired] != 0 {
		t.Fatalf("refusals %v: want one idle close and no grace expiry", st.Refused)
	}
	// A peer that was never a client is still a grace expiry.
	l.Connected(in, pid(2), v4(2), at)
	if got := l.Sweep(nil, never, never, at.Add(time.Minute)); len(got) != 1 || got[0].Why != RefuseGraceExpired {
		t.Fatalf("closed %v, want a grace expiry", got)
	}
}

func TestLedgerPendingRelayFoundAtDeadline(t *testing.T) {
	l := newTestLedger(0)
	l.Connected(in, pid(1), v4(1), t0)
	if got := l.Sweep(nil, never, always, t0.Add(time.Minute)); len(got) != 0 || l.Class(pid(1)) != ClassRelay {
		t.Fatalf("relay peer found by the peerstore check: closed %v class %s", got, l.Class(pid(1)))
	}
}

// TestLedgerProperties drives a ledger with random connection events and
// checks the budget invariants after each: inbound counted peers within the
// inbound limit, relay peers within RelayInbound, outbound within its limit,
// per-prefix caps, relay and outbound peers never closed by a sweep, and
// counts equal to a recount of the peers (no drift).
func TestLedgerProperties(t *testing.T) {
	for seed := range 200 {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		l := newTestLedger(2)
		now := t0
		conns := map[peerid.ID]int{}
		for step := range 300 {
			id := pid(rng.IntN(20))
			addr := netip.AddrFrom4([4]byte{10, 0, 0, byte(rng.IntN(6))})
			if rng.IntN(2) == 0 { // six addresses in two /64s of one /48
				addr = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 7: byte(rng.IntN(2)), 15: byte(rng.IntN(3))})
			}
			where := fmt.Sprintf("seed %d step %d", seed, step)
			switch rng.IntN(7) {
			case 0, 1: // a connection completes (if the gate let it through)
				dir := in
				if rng.IntN(3) == 0 {
					dir = out
				}
				if l.CheckSecured(dir, id, addr) == 0 || rng.IntN(4) == 0 {
					// Sometimes Connected arrives although the check
					// refused (a racing handshake): Connected re-checks.
					l.Connected(dir, id, addr, now)
					conns[id]++
				}
			case 2:
				if conns[id] > 0 {
					l.Disconnected(id)
					conns[id]--
				}
			case 3:
				l.MarkRelay(id, now)
			case 4:
				l.Leased(id)
			case 5:
				now = now.Add(time.Duration(rng.IntN(8)) * time.Second)
				holds := func(peerid.ID) bool { return rng.IntN(2) == 0 }
				for _, c := range l.Sweep(nil, holds, func(peerid.ID) bool { return rng.IntN(4) == 0 }, now) {
					if cl := l.Class(c.Peer); cl != ClassClosing && cl != ClassRelay {
						t.Fatalf("%s: swept peer %s left in class %s", where, c.Peer, cl)
					}
					if c.Why != RefuseGraceExpired && c.Why != RefuseIdle && c.Why != RefuseRelayFull {
						t.Fatalf("%s: swept peer %s closed for %s", where, c.Peer, c.Why)
					}
				}
			case 6:
				before := map[peerid.ID]Class{}
				for p := range l.peers {
					before[p] = l.Class(p)
				}
				for _, c := range l.Sweep(nil, always, never, now) {
					if b := before[c.Peer]; b == ClassRelay || b == ClassOutbound {
						t.Fatalf("%s: sweep closed a %s peer", where, b)
					}
				}
			}
			checkLedger(t, where, l, conns)
		}
		// Disconnect everything: every count returns to zero.
		for id, n := range conns {
			for range n {
				l.Disconnected(id)
			}
		}
		if len(l.peers) != 0 || len(l.coloc.byPrefix) != 0 || len(l.coloc.bySite) != 0 || l.classes != [NumClasses]int{} {
			t.Fatalf("seed %d: counts drifted after all disconnects: %v %v %v", seed, l.classes, l.coloc.byPrefix, l.coloc.bySite)
		}
	}
}

func checkLedger(t *testing.T, where string, l *Ledger, conns map[peerid.ID]int) {
	t.Helper()
	var classes [NumClasses]int
	prefixes, sites := map[prefixKey]int{}, map[prefixKey]int{}
	for id, p := range l.peers {
		if p.conns != conns[id] {
			t.Fatalf("%s: peer %s has %d connections, ledger says %d", where, id, conns[id], p.conns)
		}
		classes[p.class]++
		if p.inbound && (p.class == ClassPending || p.class == ClassRelay || p.class == ClassService) {
			prefixes[p.group.prefix]++
			if p.group.hasSite {
				sites[p.group.site]++
			}
		}
	}
	if classes != l.classes {
		t.Fatalf("%s: class counts %v, recount %v", where, l.classes, classes)
	}
	c := &l.coloc
	for k, n := range prefixes {
		if n > c.maxPerPrefix || c.byPrefix[k] != n {
			t.Fatalf("%s: prefix count %d (ledger %d), cap %d", where, n, c.byPrefix[k], c.maxPerPrefix)
		}
	}
	for k, n := range sites {
		if n > c.maxPerSite || c.bySite[k] != n {
			t.Fatalf("%s: site count %d (ledger %d), cap %d", where, n, c.bySite[k], c.maxPerSite)
		}
	}
	if len(c.byPrefix) != len(prefixes) || len(c.bySite) != len(sites) {
		t.Fatalf("%s: ledger counts %d prefixes and %d sites, recount %d and %d", where, len(c.byPrefix), len(c.bySite), len(prefixes), len(sites))
	}
	if l.inbound() > l.budget.InboundLimit() || l.classes[ClassRelay] > l.budget.RelayInbound ||
		l.classes[ClassOutbound] > l.budget.DialLimit() {
		t.Fatalf("%s: over budget: %v", where, l.classes)
	}
}

// TestLedgerRefusesToBringBackAPeerItClosed: a relay peer turned away for
// want of room gets no new connection while it is being closed, and is not
// dialled for a grace period: the node's own gossipsub would redial it at
// once, and it would come back as an outbound peer we never chose.
func TestLedgerRefusesToBringBackAPeerItClosed(t *testing.T) {
	l := newTestLedger(0)
	for i := range smallBudget.RelayInbound {
		l.Connected(in, pid(i), v4(i), t0)
		if r, _ := l.MarkRelay(pid(i), t0); r != 0 {
			t.Fatalf("relay peer %d: %s", i, r)
		}
	}
	late := pid(50)
	l.Connected(in, late, v4(50), t0)
	if r, _ := l.MarkRelay(late, t0); r != RefuseRelayFull {
		t.Fatalf("relay peer beyond RelayInbound: %v", r)
	}
	// While its connection closes.
	if r := l.CheckDial(late, t0); r != RefuseRecentlyClosed {
		t.Fatalf("dial of a closing peer: %v", r)
	}
	if r := l.CheckSecured(in, late, v4(50)); r != RefuseRecentlyClosed {
		t.Fatalf("new connection of a closing peer: %v", r)
	}
	if r := l.Connected(out, late, v4(50), t0); r != RefuseRecentlyClosed {
		t.Fatalf("completed connection of a closing peer: %v", r)
	}
	l.Disconnected(late)
	if !l.Disconnected(late) {
		t.Fatal("the closing peer's last connection did not forget it")
	}
	// After it is gone, for a grace period.
	grace := 10 * time.Second
	if r := l.CheckDial(late, t0.Add(grace-time.Nanosecond)); r != RefuseRecentlyClosed {
		t.Fatalf("dial within the grace period: %v", r)
	}
	if r := l.CheckDial(late, t0.Add(grace)); r != 0 {
		t.Fatalf("dial after the grace period: %s", r)
	}
	if got := l.Stats().Refused[RefuseRecentlyClosed]; got != 4 {
		t.Fatalf("recently-closed refusals %d, want 4", got)
	}
}
