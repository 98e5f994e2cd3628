package slots

import (
	"fmt"
	"net/netip"
	"testing"
)

// TestAppendPrefixLeases checks the per-prefix view of a pool: two clients
// of one /24 count together, an IPv6 client in its /64, a client of unknown
// address in ::/64; leases that expire leave the view.
func TestAppendPrefixLeases(t *testing.T) {
	p := mustPool(t, Filter, 100) // a per-prefix cap of 10 (DefaultPrefixShare)
	for _, c := range []Client{
		{Peer: pid(1), Addr: netip.MustParseAddr("10.0.1.1")},
		{Peer: pid(2), Addr: netip.MustParseAddr("10.0.1.2")},
		{Peer: pid(3), Addr: netip.MustParseAddr("2001:db8::1")},
		{Peer: pid(4)},
	} {
		if _, err := p.Admit(c, t0); err != nil {
			t.Fatal(err)
		}
	}
	got := fmt.Sprint(p.AppendPrefixLeases(nil, t0))
	if want := "[{10.0.1.0/24 2} {::/64 1} {2001:db8::/64 1}]"; got != want {
		t.Errorf("prefix leases %s, want %s", got, want)
	}
	if got := p.AppendPrefixLeases(nil, t0.Add(p.TTL()+1)); len(got) != 0 {
		t.Errorf("after the TTL: %v, want none", got)
	}
}
