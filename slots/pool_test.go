package slots

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"

	"github.com/wakupm/wakupm/protocols"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func pid(i int) peerid.ID { return peerid.ID(fmt.Sprintf("peer-%03d", i)) }

// v4 returns a distinct IPv4 address per i, each in its own /24.
func v4(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 1}) }

func client(i int) Client { return Client{Peer: pid(i), Addr: v4(i)} }

func mustPool(t testing.TB, s Service, capacity int, opts ...PoolOption) *Pool {
	t.Helper()
	p, err := NewPool(s, capacity, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func wantRejection(t *testing.T, err error, reason Reason, status uint32) {
	t.Helper()
	var rej *Rejection
	if !errors.As(err, &rej) {
		t.Fatalf("err = %v, want *Rejection %s", err, reason)
	}
	if rej.Reason != reason || rej.StatusCode() != status || !errors.Is(err, ErrRejected) {
		t.Fatalf("rejection %v: reason %s status %d, want %s %d", rej, rej.Reason, rej.StatusCode(), reason, status)
	}
}

func TestAdmitLastFreeSlot(t *testing.T) {
	p := mustPool(t, Filter, 3, WithMaxPerPrefix(0))
	for i := range 3 {
		if _, err := p.Admit(client(i), t0); err != nil {
			t.Fatalf("admit %d of 3: %v", i, err)
		}
	}
	if got := p.Stats(t0).InUse; got != 3 {
		t.Fatalf("in use %d, want 3", got)
	}
	_, err := p.Admit(client(3), t0)
	wantRejection(t, err, ReasonNoSlot, 503)
	var rej *Rejection
	errors.As(err, &rej)
	if rej.Limit != 3 || rej.Service != Filter || rej.Peer != pid(3) {
		t.Fatalf("rejection fields %+v", rej)
	}
}

func TestAdmitPerPeerCap(t *testing.T) {
	p := mustPool(t, LightPush, 10, WithMaxPerPeer(2), WithMaxPerPrefix(0))
	c := client(1)
	for range 2 {
		if _, err := p.Admit(c, t0); err != nil {
			t.Fatal(err)
		}
	}
	_, err := p.Admit(c, t0)
	wantRejection(t, err, ReasonPeerLimit, 429)
	if _, err := p.Admit(client(2), t0); err != nil {
		t.Fatalf("another peer refused: %v", err)
	}
}

func TestAdmitPerPrefixCapIPv4(t *testing.T) {
	p := mustPool(t, Filter, 10, WithMaxPerPrefix(2))
	a := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	for i, addr := range []string{"192.0.2.1", "192.0.2.254"} {
		if _, err := p.Admit(Client{Peer: pid(i), Addr: a(addr)}, t0); err != nil {
			t.Fatal(err)
		}
	}
	// Same /24, different address: refused.
	_, err := p.Admit(Client{Peer: pid(2), Addr: a("192.0.2.77")}, t0)
	wantRejection(t, err, ReasonPrefixLimit, 429)
	// IPv4-mapped IPv6 form of the same /24: same group.
	_, err = p.Admit(Client{Peer: pid(3), Addr: a("::ffff:192.0.2.9")}, t0)
	wantRejection(t, err, ReasonPrefixLimit, 429)
	// Neighbouring /24: admitted.
	if _, err := p.Admit(Client{Peer: pid(4), Addr: a("192.0.3.1")}, t0); err != nil {
		t.Fatalf("next /24 refused: %v", err)
	}
}

func TestAdmitPerPrefixCapIPv6(t *testing.T) {
	p := mustPool(t, Filter, 10, WithMaxPerPrefix(1))
	a := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	if _, err := p.Admit(Client{Peer: pid(0), Addr: a("2001:db8:1:2::1")}, t0); err != nil {
		t.Fatal(err)
	}
	// Same /64 (also with a zone): refused.
	_, err := p.Admit(Client{Peer: pid(1), Addr: a("2001:db8:1:2:ffff::9")}, t0)
	wantRejection(t, err, ReasonPrefixLimit, 429)
	_, err = p.Admit(Client{Peer: pid(2), Addr: a("2001:db8:1:2::5%eth0")}, t0)
	wantRejection(t, err, ReasonPrefixLimit, 429)
	// Next /64: admitted.
	if _, err := p.Admit(Client{Peer: pid(3), Addr: a("2001:db8:1:3::1")}, t0); err != nil {
		t.Fatalf("next /64 refused: %v", err)
	}
}

func TestPrefixLengthsConfigurable(t *testing.T) {
	p := mustPool(t, Filter, 10, WithMaxPerPrefix(1), WithPrefixLengths(32, 128))
	a := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	for i, addr := range []string{"192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"} {
		if _, err := p.Admit(Client{Peer: pid(i), Addr: a(addr)}, t0); err != nil {
			t.Fatalf("per-address cap refused %s: %v", addr, err)
		}
	}
	_, err := p.Admit(Client{Peer: pid(9), Addr: a("192.0.2.1")}, t0)
	wantRejection(t, err, ReasonPrefixLimit, 429)
}

func TestPrefixCapDisabled(t *testing.T) {
	p := mustPool(t, Filter, 5, WithMaxPerPrefix(0))
	for i := range 5 {
		if _, err := p.Admit(Client{Peer: pid(i), Addr: v4(0)}, t0); err != nil {
			t.Fatalf("admit %d from one address with the cap disabled: %v", i, err)
		}
	}
}

func TestUnknownAddressesShareOneGroup(t *testing.T) {
	p := mustPool(t, Filter, 10, WithMaxPerPrefix(2))
	for i := range 2 {
		if _, err := p.Admit(Client{Peer: pid(i)}, t0); err != nil {
			t.Fatal(err)
		}
	}
	_, err := p.Admit(Client{Peer: pid(2)}, t0)
	wantRejection(t, err, ReasonPrefixLimit, 429)
}

func TestRelayPeersNeverTakeReservedSlots(t *testing.T) {
	p := mustPool(t, Filter, 5)
	c := client(1)
	c.Relay = true
	_, err := p.Admit(c, t0)
	wantRejection(t, err, ReasonRelayPeer, 503)
	_, err = p.Renew(c, t0)
	wantRejection(t, err, ReasonRelayPeer, 503)
	if st := p.Stats(t0); st.InUse != 0 || st.Rejected[ReasonRelayPeer] != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestTTLExpiryAtExactBoundary(t *testing.T) {
	ttl := 5 * time.Minute
	p := mustPool(t, Filter, 1, WithTTL(ttl))
	l, err := p.Admit(client(1), t0)
	if err != nil {
		t.Fatal(err)
	}
	if exp, ok := p.Expiry(l); !ok || !exp.Equal(t0.Add(ttl)) {
		t.Fatalf("expiry %v %v, want %v", exp, ok, t0.Add(ttl))
	}
	if !p.Live(l, t0.Add(ttl-time.Nanosecond)) {
		t.Fatal("lease dead one nanosecond before its expiry")
	}
	if p.Live(l, t0.Add(ttl)) {
		t.Fatal("lease live at its expiry instant")
	}
	if st := p.Stats(t0.Add(ttl)); st.InUse != 0 || st.Expired != 1 {
		t.Fatalf("after expiry: %+v", st)
	}
	if err := p.Refresh(l, t0.Add(ttl)); !errors.Is(err, ErrLeaseGone) {
		t.Fatalf("refresh of an expired lease: %v", err)
	}
	// The slot is free again.
	if _, err := p.Admit(client(2), t0.Add(ttl)); err != nil {
		t.Fatalf("slot not reusable after expiry: %v", err)
	}
	// The old lease stays dead even though its slot is leased again.
	if p.Live(l, t0.Add(ttl)) || p.Release(l) {
		t.Fatal("stale lease acts on the reused slot")
	}
}

func TestRefreshExtendsLease(t *testing.T) {
	ttl := time.Minute
	p := mustPool(t, Filter, 2, WithTTL(ttl))
	l, _ := p.Admit(client(1), t0)
	other, _ := p.Admit(client(2), t0)
	// Refresh one nanosecond before expiry: lives another full TTL.
	at := t0.Add(ttl - time.Nanosecond)
	if err := p.Refresh(l, at); err != nil {
		t.Fatal(err)
	}
	if !p.Live(l, at.Add(ttl-time.Nanosecond)) {
		t.Fatal("refreshed lease died early")
	}
	if p.Live(other, t0.Add(ttl)) {
		t.Fatal("unrefreshed lease outlived its TTL")
	}
	if p.Live(l, at.Add(ttl)) {
		t.Fatal("refreshed lease live at its new expiry")
	}
}

func TestRefreshPeerAndRenew(t *testing.T) {
	ttl := time.Minute
	p := mustPool(t, Filter, 4, WithTTL(ttl), WithMaxPerPeer(2), WithMaxPerPrefix(0))
	c := client(1)
	l1, _ := p.Admit(c, t0)
	l2, _ := p.Admit(c, t0.Add(time.Second))
	if n := p.RefreshPeer(c.Peer, t0.Add(30*time.Second)); n != 2 {
		t.Fatalf("refreshed %d leases, want 2", n)
	}
	at := t0.Add(30*time.Second + ttl - time.Nanosecond)
	if !p.Live(l1, at) || !p.Live(l2, at) {
		t.Fatal("RefreshPeer did not extend every lease")
	}
	// Renew returns the newest lease and takes no new slot, even at the cap.
	l3, err := p.Renew(c, at)
	if err != nil || l3 != l2 {
		t.Fatalf("renew: %v %v, want lease %v", l3, err, l2)
	}
	if st := p.Stats(at); st.InUse != 2 {
		t.Fatalf("renew took a slot: %+v", st)
	}
	if n := p.RefreshPeer(pid(9), at); n != 0 {
		t.Fatalf("refresh of a peer without leases: %d", n)
	}
	// A client without a lease is admitted by Renew.
	if _, err := p.Renew(client(2), at); err != nil {
		t.Fatal(err)
	}
}

func TestReleaseOnDisconnectFreesAtOnce(t *testing.T) {
	p := mustPool(t, Filter, 2, WithMaxPerPeer(2), WithMaxPerPrefix(0))
	c := client(1)
	p.Admit(c, t0)
	p.Admit(c, t0)
	_, err := p.Admit(client(2), t0)
	wantRejection(t, err, ReasonNoSlot, 503)
	if n := p.ReleasePeer(c.Peer); n != 2 {
		t.Fatalf("released %d, want 2", n)
	}
	// Same instant: both slots are free.
	for i := 2; i < 4; i++ {
		if _, err := p.Admit(client(i), t0); err != nil {
			t.Fatalf("slot not freed at once: %v", err)
		}
	}
	if n := p.ReleasePeer(c.Peer); n != 0 {
		t.Fatalf("second release freed %d", n)
	}
}

func TestReleaseIsIdempotent(t *testing.T) {
	p := mustPool(t, Filter, 1)
	l, _ := p.Admit(client(1), t0)
	if !p.Release(l) {
		t.Fatal("first release reported dead lease")
	}
	if p.Release(l) {
		t.Fatal("second release reported live lease")
	}
	st := p.Stats(t0)
	if st.InUse != 0 || st.Released != 1 || st.Admitted != 1 {
		t.Fatalf("stats %+v", st)
	}
	if p.Release(Lease{}) || p.Release(Lease{Service: Store, slot: 0}) {
		t.Fatal("release of a foreign lease succeeded")
	}
}

func TestClockNeverGoesBack(t *testing.T) {
	ttl := time.Minute
	p := mustPool(t, Filter, 2, WithTTL(ttl))
	l, _ := p.Admit(client(1), t0.Add(10*time.Minute))
	// An earlier now is read as the latest seen: the lease lives until
	// t0+10min+ttl, and a late Admit keeps the expiry list ordered.
	l2, _ := p.Admit(client(2), t0)
	e1, _ := p.Expiry(l)
	e2, _ := p.Expiry(l2)
	if !e1.Equal(e2) {
		t.Fatalf("expiries %v and %v, want equal", e1, e2)
	}
	if p.Live(l, t0.Add(10*time.Minute+ttl)) {
		t.Fatal("lease live after expiry")
	}
}

func TestZeroCapacityPool(t *testing.T) {
	p := mustPool(t, Store, 0)
	_, err := p.Admit(client(1), t0)
	wantRejection(t, err, ReasonNoSlot, 503)
}

func TestNewPoolValidates(t *testing.T) {
	cases := []struct {
		name   string
		s      Service
		cap    int
		opts   []PoolOption
		option string // the *OptionError's Option; "" for ErrInvalidPool
	}{
		{"negative capacity", Filter, -1, nil, ""},
		{"unknown service", Service(9), 1, nil, ""},
		{"negative per-peer", Filter, 1, []PoolOption{WithMaxPerPeer(-1)}, "WithMaxPerPeer"},
		{"negative per-prefix", Filter, 1, []PoolOption{WithMaxPerPrefix(-1)}, "WithMaxPerPrefix"},
		{"zero ttl", Filter, 1, []PoolOption{WithTTL(0)}, "WithTTL"},
		{"ipv4 /33", Filter, 1, []PoolOption{WithPrefixLengths(33, 64)}, "WithPrefixLengths"},
		{"ipv6 /0", Filter, 1, []PoolOption{WithPrefixLengths(24, 0)}, "WithPrefixLengths"},
	}
	for _, c := range cases {
		_, err := NewPool(c.s, c.cap, c.opts...)
		var oe *OptionError
		switch {
		case c.option == "" && !errors.Is(err, ErrInvalidPool):
			t.Errorf("%s: err = %v, want ErrInvalidPool", c.name, err)
		case c.option != "" && (!errors.As(err, &oe) || oe.Option != c.option):
			t.Errorf("%s: err = %v, want *OptionError for %s", c.name, err, c.option)
		}
	}
	// The message names the package and the option.
	_, err := NewPool(Filter, 1, WithTTL(0))
	if want := "slots: invalid option WithTTL: lease TTL 0s must be positive"; err == nil || err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestDefaultPrefixCap(t *testing.T) {
	for _, c := range []struct{ capacity, want int }{{0, 1}, {5, 1}, {20, 2}, {500, 50}} {
		if got := mustPool(t, Filter, c.capacity).MaxPerPrefix(); got != c.want {
			t.Errorf("capacity %d: default prefix cap %d, want %d", c.capacity, got, c.want)
		}
	}
}

func TestReasonStatusCodes(t *testing.T) {
	want := map[Reason]uint32{ReasonNoSlot: 503, ReasonPeerLimit: 429, ReasonPrefixLimit: 429, ReasonRelayPeer: 503}
	for _, r := range Reasons() {
		if r.StatusCode() != want[r] {
			t.Errorf("%s: status %d, want %d", r, r.StatusCode(), want[r])
		}
		if int(r) >= NumReasons {
			t.Errorf("%s out of range", r)
		}
	}
}

func TestServiceOfProtocols(t *testing.T) {
	for _, s := range Services() {
		for _, id := range s.Protocols() {
			if got, ok := ServiceOf(id); !ok || got != s {
				t.Errorf("ServiceOf(%s) = %s %v, want %s", id, got, ok, s)
			}
		}
	}
	if _, ok := ServiceOf(protocols.Relay); ok {
		t.Error("relay mapped to a service")
	}
}
