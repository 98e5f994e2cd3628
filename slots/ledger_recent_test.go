package slots

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
)

// TestRecentClosesStayBounded: three times maxRecentCloses peers closed
// within one deadline: the exact memory keeps maxRecentCloses, the rest
// overflow into the fixed filter, none is forgotten before its deadline
// and none is kept long after it.
func TestRecentClosesStayBounded(t *testing.T) {
	var r recentCloses
	for i := range 3 * maxRecentCloses {
		r.add(pid(i), t0.Add(time.Hour), t0)
	}
	if r.len() != maxRecentCloses || len(r.order) != maxRecentCloses {
		t.Fatalf("remembers %d peers exactly (%d in order), want at most %d", r.len(), len(r.order), maxRecentCloses)
	}
	for i := range 3 * maxRecentCloses {
		if !r.has(pid(i), t0.Add(time.Hour-time.Nanosecond)) {
			t.Fatalf("forgot peer %d before its deadline", i)
		}
	}
	if r.has(pid(3*maxRecentCloses-1), t0.Add(time.Hour)) || r.has(pid(0), t0.Add(time.Hour)) || r.len() != 0 {
		t.Fatal("kept an entry past its deadline")
	}
}

// TestLedgerRemembersEveryPeerItClosedUntilItsDeadline: a relay peer turned
// away for want of room must not be dialled for a grace period, however
// many other peers the ledger closes meanwhile. Before, the memory kept
// only the latest deadline: the first later close made the peer dialable
// again, and a full memory (4096) dropped its oldest entries even within
// their grace.
func TestLedgerRemembersEveryPeerItClosedUntilItsDeadline(t *testing.T) {
	const grace = 10 * time.Second
	l := newTestLedger(0)
	for i := range smallBudget.RelayInbound {
		l.Connected(Inbound, pid(i), v4(i), t0)
		l.MarkRelay(pid(i), t0)
	}
	// closeRelay connects id as an inbound relay peer at now: it is beyond
	// RelayInbound, so the ledger closes it, and it disconnects.
	closeRelay := func(id peerid.ID, now time.Time) {
		t.Helper()
		l.Connected(Inbound, id, v4(99), now)
		if r, _ := l.MarkRelay(id, now); r != RefuseRelayFull {
			t.Fatalf("%s: %v, want %s", id, r, RefuseRelayFull)
		}
		l.Disconnected(id)
	}
	victim := peerid.ID("victim")
	closeRelay(victim, t0)
	const others = 3 * maxRecentCloses
	for i := range others { // all within the victim's grace period
		closeRelay(peerid.ID(fmt.Sprintf("other-%d", i)), t0.Add(time.Duration(i+1)*100*time.Microsecond))
		if i == 0 || i == maxRecentCloses || i == others-1 {
			if r := l.CheckDial(victim, t0.Add(time.Duration(i+1)*100*time.Microsecond)); r != RefuseRecentlyClosed {
				t.Fatalf("victim dialable after %d other closes within its grace: %v", i+1, r)
			}
		}
	}
	at := t0.Add(grace - time.Nanosecond)
	if r := l.CheckDial(victim, at); r != RefuseRecentlyClosed {
		t.Fatalf("victim dialable before its deadline: %v", r)
	}
	if l.closed.len() > maxRecentCloses || len(l.closed.order) > maxRecentCloses {
		t.Fatalf("exact memory holds %d (%d in order), bound %d", l.closed.len(), len(l.closed.order), maxRecentCloses)
	}
	// Peers never closed are not refused (the filter's false positives are
	// rare at this load).
	falsePositives := 0
	for i := range 10_000 {
		if l.closed.has(peerid.ID(fmt.Sprintf("stranger-%d", i)), at) {
			falsePositives++
		}
	}
	if falsePositives > 5 {
		t.Errorf("%d of 10000 peers never closed taken as recently closed", falsePositives)
	}
	t.Logf("%d closes within one grace period: exact memory %d, overflow filter 2 × %d KiB, %d false positives in 10000",
		others+1, l.closed.len(), closeFilterBits/8/1024, falsePositives)
	// Three grace periods after the close, it may be dialled again.
	if r := l.CheckDial(victim, t0.Add(3*grace)); r == RefuseRecentlyClosed {
		t.Fatalf("victim still refused three grace periods after its close")
	}
}

// TestLedgerWaitingLightClients (SLOT-11, SLOT-12): pending peers that never
// asked for a lease stay past their grace period, up to MaxWaiting of them
// and MaxWait each; a peer refused a lease does not; a peer closed at the
// end of its grace period cannot reconnect for a grace period.
func TestLedgerWaitingLightClients(t *testing.T) {
	b := Budget{MaxConnections: 20, RelayInbound: 2, RelayOutbound: 8, Reserved: Reserved{Filter: 8, LightPush: 2}}
	l := NewLedger(b, LedgerConfig{Grace: 10 * time.Second, MaxWaiting: 2, MaxWait: time.Minute})
	t0 := time.Unix(1000, 0)
	ids := []peerid.ID{"a", "b", "c", "denied"}
	for i, id := range ids {
		if r := l.Connected(Inbound, id, netip.AddrFrom4([4]byte{10, 0, byte(i), 1}), t0); r != 0 {
			t.Fatal(r)
		}
	}
	l.Denied("denied")
	never := func(peerid.ID) bool { return false }
	closed := l.Sweep(nil, never, never, t0.Add(11*time.Second))
	// Two wait (a and b, or any two of a, b, c), the third and the denied
	// peer are closed.
	if len(closed) != 2 || l.Stats().Waiting != 2 {
		t.Fatalf("closed %v, waiting %d", closed, l.Stats().Waiting)
	}
	for _, c := range closed {
		l.Disconnected(c.Peer)
		if r := l.CheckReconnect(c.Peer, t0.Add(12*time.Second)); r != RefuseRecentlyClosed {
			t.Errorf("%s reconnecting after its grace close: %v", c.Peer, r)
		}
	}
	for _, c := range closed {
		if r := l.CheckReconnect(c.Peer, t0.Add(22*time.Second)); r != 0 {
			t.Errorf("%s reconnecting a grace period later: %v", c.Peer, r)
		}
	}
	// A waiting peer that subscribes becomes a service client.
	var waiter peerid.ID
	for _, id := range ids {
		if l.Class(id) == ClassPending {
			waiter = id
			break
		}
	}
	l.Leased(waiter)
	if l.Class(waiter) != ClassService || l.Stats().Waiting != 1 {
		t.Fatalf("after lease: class %s, waiting %d", l.Class(waiter), l.Stats().Waiting)
	}
	// The other waits until MaxWait after it connected, then is closed.
	if c := l.Sweep(nil, func(peerid.ID) bool { return true }, never, t0.Add(59*time.Second)); len(c) != 0 {
		t.Fatalf("closed before MaxWait: %v", c)
	}
	if c := l.Sweep(nil, func(peerid.ID) bool { return true }, never, t0.Add(61*time.Second)); len(c) != 1 || c[0].Why != RefuseGraceExpired {
		t.Fatalf("after MaxWait: %v", c)
	}
}
