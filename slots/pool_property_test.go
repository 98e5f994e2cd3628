package slots

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
)

// poolModel is a deliberately naive reference for Pool: a list of leases
// scanned on every call.
type poolModel struct {
	capacity, perPeer, perPrefix int
	ttl                          time.Duration
	now                          time.Time
	leases                       []modelLease
}

type modelLease struct {
	lease   Lease
	peer    peerid.ID
	pfx     netip.Prefix
	expires time.Time
	live    bool
}

func (m *poolModel) advance(now time.Time) int {
	if now.After(m.now) {
		m.now = now
	}
	n := 0
	for i := range m.leases {
		if l := &m.leases[i]; l.live && !l.expires.After(m.now) {
			l.live = false
			n++
		}
	}
	return n
}

func (m *poolModel) count(match func(*modelLease) bool) int {
	n := 0
	for i := range m.leases {
		if l := &m.leases[i]; l.live && match(l) {
			n++
		}
	}
	return n
}

func (m *poolModel) predictAdmit(c Client, pfx netip.Prefix) Reason {
	switch {
	case c.Relay:
		return ReasonRelayPeer
	case m.count(func(*modelLease) bool { return true }) >= m.capacity:
		return ReasonNoSlot
	case m.perPeer > 0 && m.count(func(l *modelLease) bool { return l.peer == c.Peer }) >= m.perPeer:
		return ReasonPeerLimit
	case m.perPrefix > 0 && m.count(func(l *modelLease) bool { return l.pfx == pfx }) >= m.perPrefix:
		return ReasonPrefixLimit
	}
	return 0
}

func (m *poolModel) find(l Lease) *modelLease {
	for i := range m.leases {
		if m.leases[i].live && m.leases[i].lease == l {
			return &m.leases[i]
		}
	}
	return nil
}

// newest returns the peer's live lease admitted or refreshed last (the one
// Renew must return): the pool keeps a peer's newest admission first.
func (m *poolModel) newestAdmitted(id peerid.ID) *modelLease {
	var best *modelLease
	for i := range m.leases {
		if l := &m.leases[i]; l.live && l.peer == id {
			best = l // leases are appended in admission order
		}
	}
	return best
}

// runPoolOps drives a Pool and the model with ops drawn from next and fails
// on the first divergence or broken invariant.
func runPoolOps(t *testing.T, next func(n int) int) {
	r := newPoolOpsRun(t, next)
	m := r.m
	for step := 0; step < 400; step++ {
		op := next(9)
		where := fmt.Sprintf("step %d op %d (cap %d peer %d prefix %d ttl %v)", step, op, m.capacity, m.perPeer, m.perPrefix, m.ttl)
		switch op {
		case 0:
			r.moveClock()
		case 1, 2:
			r.admit(where)
		case 3:
			r.renew(where)
		case 4:
			r.refresh(where)
		case 5:
			r.release(where)
		case 6:
			r.disconnect(where)
		case 7:
			r.expire(where)
		case 8:
			r.refreshPeer(where)
		}
		checkPoolInvariants(t, where, r.p, m, r.now, r.issued)
	}
}

// poolOpsRun is one run of runPoolOps: the pool under test, the model, and
// every lease the pool ever issued. Its methods are the operations; each
// draws its arguments from next.
type poolOpsRun struct {
	t      *testing.T
	next   func(n int) int
	p      *Pool
	m      *poolModel
	now    time.Time
	issued []Lease
}

func newPoolOpsRun(t *testing.T, next func(n int) int) *poolOpsRun {
	capacity := 1 + next(6)
	perPeer := next(3)   // 0 disables
	perPrefix := next(4) // 0 disables
	ttl := time.Duration(1+next(5)) * time.Second
	p, err := NewPool(Filter, capacity, WithMaxPerPeer(perPeer), WithMaxPerPrefix(perPrefix), WithTTL(ttl))
	if err != nil {
		t.Fatal(err)
	}
	m := &poolModel{capacity: capacity, perPeer: perPeer, perPrefix: perPrefix, ttl: ttl}
	return &poolOpsRun{t: t, next: next, p: p, m: m, now: t0}
}

// modelClient is client i of six peers over three /24 prefixes; peer 5 is
// a relay peer.
func modelClient(i int) Client {
	return Client{Peer: pid(i), Addr: netip.AddrFrom4([4]byte{10, 0, byte(i % 3), byte(i)}), Relay: i == 5}
}

// pickIssued returns a lease the pool issued, live or stale.
func (r *poolOpsRun) pickIssued() Lease {
	if len(r.issued) == 0 {
		return Lease{}
	}
	return r.issued[r.next(len(r.issued))]
}

// admitted records a lease the pool just gave c in the model.
func (r *poolOpsRun) admitted(c Client, l Lease) {
	r.issued = append(r.issued, l)
	r.m.leases = append(r.m.leases, modelLease{lease: l, peer: c.Peer, pfx: r.p.Prefix(c.Addr), expires: r.m.now.Add(r.m.ttl), live: true})
}

// moveClock advances time, sometimes to an exact expiry, sometimes back.
func (r *poolOpsRun) moveClock() {
	switch r.next(4) {
	case 0:
		r.now = r.now.Add(r.m.ttl)
	case 1:
		r.now = r.now.Add(-time.Duration(r.next(3)) * time.Second)
	default:
		r.now = r.now.Add(time.Duration(r.next(1500)) * time.Millisecond)
	}
}

func (r *poolOpsRun) admit(where string) {
	c := modelClient(r.next(6))
	r.m.advance(r.now)
	want := r.m.predictAdmit(c, r.p.Prefix(c.Addr))
	l, err := r.p.Admit(c, r.now)
	checkAdmit(r.t, where, want, err)
	if err == nil {
		r.admitted(c, l)
	}
}

func (r *poolOpsRun) renew(where string) {
	t, m := r.t, r.m
	c := modelClient(r.next(6))
	m.advance(r.now)
	if ml := m.newestAdmitted(c.Peer); ml != nil && !c.Relay {
		l, err := r.p.Renew(c, r.now)
		if err != nil {
			t.Fatalf("%s: renew of a holder failed: %v", where, err)
		}
		// Renew returns one of the peer's live leases and refreshes it.
		got := m.find(l)
		if got == nil || got.peer != c.Peer {
			t.Fatalf("%s: renew returned %v, not a live lease of %s", where, l, c.Peer)
		}
		got.expires = m.now.Add(m.ttl)
		return
	}
	want := m.predictAdmit(c, r.p.Prefix(c.Addr))
	l, err := r.p.Renew(c, r.now)
	checkAdmit(t, where, want, err)
	if err == nil {
		r.admitted(c, l)
	}
}

// refresh refreshes a lease, live or stale.
func (r *poolOpsRun) refresh(where string) {
	l := r.pickIssued()
	r.m.advance(r.now)
	ml := r.m.find(l)
	err := r.p.Refresh(l, r.now)
	if (ml != nil) != (err == nil) {
		r.t.Fatalf("%s: refresh %v: model live %v, pool err %v", where, l, ml != nil, err)
	}
	if ml != nil {
		ml.expires = r.m.now.Add(r.m.ttl)
	} else if !errors.Is(err, ErrLeaseGone) {
		r.t.Fatalf("%s: refresh of a dead lease: %v", where, err)
	}
}

// release releases a lease, live or stale.
func (r *poolOpsRun) release(where string) {
	l := r.pickIssued()
	ml := r.m.find(l)
	if got := r.p.Release(l); got != (ml != nil) {
		// A lease the pool has not yet noticed as expired is still
		// releasable only if it has not expired by the pool's clock,
		// which is the model's clock.
		r.t.Fatalf("%s: release %v = %v, model live %v", where, l, got, ml != nil)
	}
	if ml != nil {
		ml.live = false
	}
}

func (r *poolOpsRun) disconnect(where string) {
	id := pid(r.next(6))
	want := r.m.count(func(l *modelLease) bool { return l.peer == id })
	for i := range r.m.leases {
		if r.m.leases[i].peer == id {
			r.m.leases[i].live = false
		}
	}
	if got := r.p.ReleasePeer(id); got != want {
		r.t.Fatalf("%s: ReleasePeer freed %d, model %d", where, got, want)
	}
}

// expire is an explicit expiry sweep.
func (r *poolOpsRun) expire(where string) {
	want := r.m.advance(r.now)
	if got := r.p.Expire(r.now); got != want {
		r.t.Fatalf("%s: Expire freed %d, model %d", where, got, want)
	}
}

func (r *poolOpsRun) refreshPeer(where string) {
	id := pid(r.next(6))
	r.m.advance(r.now)
	want := 0
	for i := range r.m.leases {
		if l := &r.m.leases[i]; l.live && l.peer == id {
			l.expires = r.m.now.Add(r.m.ttl)
			want++
		}
	}
	if got := r.p.RefreshPeer(id, r.now); got != want {
		r.t.Fatalf("%s: RefreshPeer = %d, model %d", where, got, want)
	}
}

func checkAdmit(t *testing.T, where string, want Reason, err error) {
	t.Helper()
	if want == 0 {
		if err != nil {
			t.Fatalf("%s: admit refused (%v), model admits", where, err)
		}
		return
	}
	var rej *Rejection
	if !errors.As(err, &rej) || rej.Reason != want {
		t.Fatalf("%s: admit = %v, model refuses with %s", where, err, want)
	}
}

func checkPoolInvariants(t *testing.T, where string, p *Pool, m *poolModel, now time.Time, issued []Lease) {
	t.Helper()
	m.advance(now)
	st := p.Stats(now)
	live := m.count(func(*modelLease) bool { return true })
	if st.InUse != live || st.InUse > m.capacity {
		t.Fatalf("%s: in use %d, model %d, capacity %d", where, st.InUse, live, m.capacity)
	}
	perPeer := map[peerid.ID]int{}
	perPrefix := map[netip.Prefix]int{}
	for _, ml := range m.leases {
		if ml.live {
			perPeer[ml.peer]++
			perPrefix[ml.pfx]++
		}
	}
	for id, n := range perPeer {
		if m.perPeer > 0 && n > m.perPeer {
			t.Fatalf("%s: peer %s holds %d > cap %d", where, id, n, m.perPeer)
		}
		if got := p.Holds(id, now); got != n {
			t.Fatalf("%s: Holds(%s) = %d, model %d", where, id, got, n)
		}
	}
	for pfx, n := range perPrefix {
		if m.perPrefix > 0 && n > m.perPrefix {
			t.Fatalf("%s: prefix %s holds %d > cap %d", where, pfx, n, m.perPrefix)
		}
	}
	// An expired or released lease is never live; a live one expires after now.
	for _, l := range issued {
		ml := m.find(l)
		if got := p.Live(l, now); got != (ml != nil) {
			t.Fatalf("%s: Live(%v) = %v, model %v", where, l, got, ml != nil)
		}
		if exp, ok := p.Expiry(l); ok && !exp.After(now) {
			t.Fatalf("%s: live lease %v has expiry %v not after now %v", where, l, exp, now)
		}
	}
}

func TestPoolProperties(t *testing.T) {
	seeds := 300
	if testing.Short() || raceEnabled {
		seeds = 50
	}
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 0x5107))
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			runPoolOps(t, func(n int) int { return rng.IntN(n) })
		})
	}
}

// FuzzPoolOps runs the same property check with the fuzzer choosing the
// configuration and every operation.
func FuzzPoolOps(f *testing.F) {
	f.Add([]byte{3, 1, 2, 2, 1, 1, 2, 1, 0, 0, 5, 0, 4, 6, 7})
	f.Add([]byte{0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 7, 5, 5})
	f.Fuzz(func(t *testing.T, ops []byte) {
		i := 0
		runPoolOps(t, func(n int) int {
			if i >= len(ops) {
				return 0
			}
			b := int(ops[i])
			i++
			return b % n
		})
	})
}
