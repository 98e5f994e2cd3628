package slots

import "net/netip"

// colocation counts a Ledger's inbound peers per address prefix and, for
// IPv6, per wider site prefix, against their caps. One host may hold a
// whole IPv6 /64, and one end site a /48 (RFC 6177): counting IPv6 per
// address would let one host take every inbound slot.
type colocation struct {
	maxPerPrefix   int
	v4Bits, v6Bits int
	maxPerSite     int // 0: no site cap
	siteBits       int

	byPrefix map[prefixKey]int
	bySite   map[prefixKey]int
}

// group is where an address counts: its prefix, and its IPv6 site.
type group struct {
	prefix  prefixKey
	site    prefixKey
	hasSite bool // IPv6 with a site cap; false for IPv4 and unknown addresses
}

func newColocation(cfg LedgerConfig) colocation {
	return colocation{
		maxPerPrefix: cfg.MaxPerPrefix,
		v4Bits:       cfg.IPv4PrefixLen,
		v6Bits:       cfg.IPv6PrefixLen,
		maxPerSite:   cfg.MaxPerIPv6Site,
		siteBits:     cfg.IPv6SitePrefixLen,
		byPrefix:     make(map[prefixKey]int),
		bySite:       make(map[prefixKey]int),
	}
}

func (c *colocation) groupOf(addr netip.Addr) group {
	g := group{prefix: keyOf(prefixOf(addr, c.v4Bits, c.v6Bits))}
	if c.maxPerSite > 0 && addr.Unmap().Is6() {
		g.site, g.hasSite = keyOf(prefixOf(addr, c.v4Bits, c.siteBits)), true
	}
	return g
}

// full reports whether g's prefix or site already holds its cap.
func (c *colocation) full(g group) bool {
	if c.maxPerPrefix > 0 && c.byPrefix[g.prefix] >= c.maxPerPrefix {
		return true
	}
	return g.hasSite && c.bySite[g.site] >= c.maxPerSite
}

// count adds delta (+1 or -1) to g's counts.
func (c *colocation) count(g group, delta int) {
	add(c.byPrefix, g.prefix, delta)
	if g.hasSite {
		add(c.bySite, g.site, delta)
	}
}

// add keeps m free of zero counts, so that it holds only occupied prefixes.
func add(m map[prefixKey]int, k prefixKey, delta int) {
	if n := m[k] + delta; n == 0 {
		delete(m, k)
	} else {
		m[k] = n
	}
}
