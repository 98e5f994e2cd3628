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
	capacity := 1 + next(6)
	perPeer := next(3)   // 0 disables
	perPrefix := next(4) // 0 disables
	ttl := time.Duration(1+next(5)) * time.Second
	p, err := NewPool(Filter, capacity, WithMaxPerPeer(perPeer), WithMaxPerPrefix(perPrefix), WithTTL(ttl))
	if err != nil {
		t.Fatal(err)
	}
	m := &poolModel{capacity: capacity, perPeer: perPeer, perPrefix: perPrefix, ttl: ttl}
	now := t0
	// Six peers over three /24 prefixes; peer 5 is a relay peer.
	clientOf := func(i int) Client {
		return Client{Peer: pid(i), Addr: netip.AddrFrom4([4]byte{10, 0, byte(i % 3), byte(i)}), Relay: i == 5}
	}
	var issued []Lease
	pick := func() Lease {
		if len(issued) == 0 {
			return Lease{}
		}
		return issued[next(len(issued))]
	}
	for step := 0; step < 400; step++ {
		op := next(9)
		where := fmt.Sprintf("step %d op %d (cap %d peer %d prefix %d ttl %v)", step, op, capacity, perPeer, perPrefix, ttl)
		switch op {
		case 0: // advance time, sometimes to an exact expiry, sometimes back
			switch next(4) {
			case 0:
				now = now.Add(ttl)
			case 1:
				now = now.Add(-time.Duration(next(3)) * time.Second)
			default:
				now = now.Add(time.Duration(next(1500)) * time.Millisecond)
			}
		case 1, 2: // admit
			c := clientOf(next(6))
			m.advance(now)
			want := m.predictAdmit(c, p.Prefix(c.Addr))
			l, err := p.Admit(c, now)
			checkAdmit(t, where, want, err)
			if err == nil {
				issued = append(issued, l)
				m.leases = append(m.leases, modelLease{lease: l, peer: c.Peer, pfx: p.Prefix(c.Addr), expires: m.now.Add(ttl), live: true})
			}
		case 3: // renew
			c := clientOf(next(6))
			m.advance(now)
			if ml := m.newestAdmitted(c.Peer); ml != nil && !c.Relay {
				l, err := p.Renew(c, now)
				if err != nil {
					t.Fatalf("%s: renew of a holder failed: %v", where, err)
				}
				// Renew returns one of the peer's live leases and refreshes it.
				got := m.find(l)
				if got == nil || got.peer != c.Peer {
					t.Fatalf("%s: renew returned %v, not a live lease of %s", where, l, c.Peer)
				}
				got.expires = m.now.Add(ttl)
			} else {
				want := m.predictAdmit(c, p.Prefix(c.Addr))
				l, err := p.Renew(c, now)
				checkAdmit(t, where, want, err)
				if err == nil {
					issued = append(issued, l)
					m.leases = append(m.leases, modelLease{lease: l, peer: c.Peer, pfx: p.Prefix(c.Addr), expires: m.now.Add(ttl), live: true})
				}
			}
		case 4: // refresh a lease, live or stale
			l := pick()
			m.advance(now)
			ml := m.find(l)
			err := p.Refresh(l, now)
			if (ml != nil) != (err == nil) {
				t.Fatalf("%s: refresh %v: model live %v, pool err %v", where, l, ml != nil, err)
			}
			if ml != nil {
				ml.expires = m.now.Add(ttl)
			} else if !errors.Is(err, ErrLeaseGone) {
				t.Fatalf("%s: refresh of a dead lease: %v", where, err)
			}
		case 5: // release a lease, live or stale
			l := pick()
			ml := m.find(l)
			if got := p.Release(l); got != (ml != nil) {
				// A lease the pool has not yet noticed as expired is still
				// releasable only if it has not expired by the pool's clock,
				// which is the model's clock.
				t.Fatalf("%s: release %v = %v, model live %v", where, l, got, ml != nil)
			}
			if ml != nil {
				ml.live = false
			}
		case 6: // disconnect
			id := pid(next(6))
			want := m.count(func(l *modelLease) bool { return l.peer == id })
			for i := range m.leases {
				if m.leases[i].peer == id {
					m.leases[i].live = false
				}
			}
			if got := p.ReleasePeer(id); got != want {
				t.Fatalf("%s: ReleasePeer freed %d, model %d", where, got, want)
			}
		case 7: // explicit expiry sweep
			want := m.advance(now)
			if got := p.Expire(now); got != want {
				t.Fatalf("%s: Expire freed %d, model %d", where, got, want)
			}
		case 8: // refresh by peer
			id := pid(next(6))
			m.advance(now)
			want := 0
			for i := range m.leases {
				if l := &m.leases[i]; l.live && l.peer == id {
					l.expires = m.now.Add(ttl)
					want++
				}
			}
			if got := p.RefreshPeer(id, now); got != want {
				t.Fatalf("%s: RefreshPeer = %d, model %d", where, got, want)
			}
		}
		checkPoolInvariants(t, where, p, m, now, issued)
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
