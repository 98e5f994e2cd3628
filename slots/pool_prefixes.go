package slots

import (
	"cmp"
	"net/netip"
	"slices"
	"time"
)

// PrefixLeases is how many live leases of a Pool are held from one
// address prefix (the prefix its per-prefix cap counts in).
type PrefixLeases struct {
	// Prefix is the IPv4 or IPv6 prefix; ::/N holds clients whose address
	// was unknown.
	Prefix netip.Prefix
	Leases int
}

// AppendPrefixLeases appends to dst every prefix holding live leases at
// now (expired leases are freed first), most leases first, then by prefix.
// It is for inspection (a node's REST API, a debug page): it walks every
// occupied prefix under the pool's lock.
func (p *Pool) AppendPrefixLeases(dst []PrefixLeases, now time.Time) []PrefixLeases {
	p.mu.Lock()
	p.advance(now)
	start := len(dst)
	for k, n := range p.byPrefix {
		addr := netip.AddrFrom16(k).Unmap()
		bits := p.v6Bits
		if addr.Is4() {
			bits = p.v4Bits
		}
		dst = append(dst, PrefixLeases{Prefix: netip.PrefixFrom(addr, bits), Leases: int(n)})
	}
	p.mu.Unlock()
	slices.SortFunc(dst[start:], func(a, b PrefixLeases) int {
		return cmp.Or(cmp.Compare(b.Leases, a.Leases), a.Prefix.Addr().Compare(b.Prefix.Addr()), cmp.Compare(a.Prefix.Bits(), b.Prefix.Bits()))
	})
	return dst
}
