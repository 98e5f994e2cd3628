package slots

import "net/netip"

// prefixOf returns addr's group for a per-prefix cap: its prefix of v4Bits
// or v6Bits, zone and IPv4-mapping stripped.
func prefixOf(addr netip.Addr, v4Bits, v6Bits int) netip.Prefix {
	addr = addr.Unmap().WithZone("")
	bits := v6Bits
	if addr.Is4() {
		bits = v4Bits
	}
	pfx, err := addr.Prefix(bits)
	if err != nil { // the zero Addr: one group for every unknown address
		return netip.Prefix{}
	}
	return pfx
}

// prefixKey is a prefix's masked address in 16-byte form: the prefix length
// is fixed per address family and pool, and IPv4 stays apart from IPv6
// because addresses are unmapped first. A fixed-size array hashes and
// compares much faster than netip.Prefix as a map key. The zero key holds
// every unknown address (and ::/64, which no real client has).
type prefixKey [16]byte

func keyOf(pfx netip.Prefix) prefixKey { return pfx.Addr().As16() }
