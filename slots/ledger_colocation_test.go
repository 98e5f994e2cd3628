package slots

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
)

// TestLedgerCapsIPv6PerPrefixAndSite: IPv6 peers count per /64 and, more
// loosely, per /48; IPv4 peers per address only; an IPv4-mapped IPv6
// address counts as IPv4.
func TestLedgerCapsIPv6PerPrefixAndSite(t *testing.T) {
	b, err := NewBudget(100) // 60 inbound
	if err != nil {
		t.Fatal(err)
	}
	l := NewLedger(b, LedgerConfig{Grace: time.Second, MaxPerPrefix: 2, IPv4PrefixLen: 32, IPv6PrefixLen: 64,
		MaxPerIPv6Site: 3, IPv6SitePrefixLen: 48})
	n := 0
	try := func(addr string) Refusal {
		n++
		id, a := peerid.ID(fmt.Sprintf("peer-%d", n)), netip.MustParseAddr(addr)
		if r := l.CheckAccept(a); r != 0 {
			return r
		}
		if r := l.CheckSecured(Inbound, id, a); r != 0 {
			return r
		}
		return l.Connected(Inbound, id, a, t0)
	}
	for _, c := range []struct {
		addr string
		want Refusal
	}{
		{"2001:db8:1:1::1", 0},
		{"2001:db8:1:1::2", 0},
		{"2001:db8:1:1::3", RefusePrefix}, // third in the /64
		{"2001:db8:1:2::1", 0},            // third in the /48
		{"2001:db8:1:3::1", RefusePrefix}, // fourth in the /48
		{"2001:db8:2::1", 0},              // another site
		{"192.0.2.1", 0},
		{"::ffff:192.0.2.1", 0}, // the same IPv4 address, second peer
		{"192.0.2.1", RefusePrefix},
		{"192.0.2.2", 0}, // IPv4 counts per address: no site
	} {
		if got := try(c.addr); got != c.want {
			t.Errorf("%s: %v, want %v", c.addr, got, c.want)
		}
	}
	// A peer leaving its site frees room in its /64 and its /48.
	l.Disconnected("peer-4")
	if got := try("2001:db8:1:3::1"); got != 0 {
		t.Errorf("after a disconnect in the site: %v", got)
	}
}
