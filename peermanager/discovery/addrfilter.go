package discovery

import (
	"net/netip"
	"strings"

	"github.com/multiformats/go-multiaddr"
)

// A remote record can name any address, and dialling it is done by us: an
// ENR relayed by peer exchange or found in discv5 that points at
// 169.254.169.254 (a cloud metadata service), 127.0.0.1 or 10.0.0.1 makes us
// connect into our own host or network on a stranger's word. Such addresses
// are dropped from candidates of remote sources (discv5, peer exchange);
// static peers are the operator's own choice and are kept as given.
//
// Always dropped: unspecified (0.0.0.0, ::), link-local (169.254/16,
// fe80::/10), multicast, broadcast, and the IPv4 "this network" block
// 0.0.0.0/8 (RFC 6890 special-purpose registries). Dropped unless the source
// was built WithPrivateAddresses: loopback, private (10/8, 172.16/12,
// 192.168/16, fc00::/7), shared address space 100.64/10 (RFC 6598), and the
// DNS names "localhost" and "*.localhost" (RFC 6761 §6.3).

var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// dialableFromRemote returns addrs without the special-purpose ones (see
// above), reusing addrs' backing array.
func dialableFromRemote(addrs []multiaddr.Multiaddr, allowPrivate bool) []multiaddr.Multiaddr {
	kept := addrs[:0]
	for _, a := range addrs {
		if remoteAddrAllowed(a, allowPrivate) {
			kept = append(kept, a)
		}
	}
	return kept
}

// remoteAddrAllowed judges a multiaddr by its first component, which is the
// host we would connect to (for a /p2p-circuit address, the relay's).
func remoteAddrAllowed(a multiaddr.Multiaddr, allowPrivate bool) bool {
	if len(a) == 0 {
		return false
	}
	first := a[0]
	switch first.Protocol().Code {
	case multiaddr.P_IP4, multiaddr.P_IP6:
		ip, ok := netip.AddrFromSlice(first.RawValue())
		if !ok {
			return false
		}
		return ipAllowed(ip.Unmap(), allowPrivate)
	case multiaddr.P_DNS, multiaddr.P_DNS4, multiaddr.P_DNS6, multiaddr.P_DNSADDR:
		name := strings.ToLower(strings.TrimSuffix(first.Value(), "."))
		if name == "localhost" || strings.HasSuffix(name, ".localhost") {
			return allowPrivate
		}
		return true
	}
	return true // other transports (e.g. a bare /p2p relay reference) name no IP
}

func ipAllowed(ip netip.Addr, allowPrivate bool) bool {
	switch {
	case ip.IsUnspecified(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsInterfaceLocalMulticast(), ip.IsMulticast():
		return false
	case ip.Is4() && (ip.As4()[0] == 0 || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255})):
		return false
	case ip.IsLoopback(), ip.IsPrivate(), sharedAddressSpace.Contains(ip):
		return allowPrivate
	}
	return true
}

// keepDialable applies dialableFromRemote to a candidate of a remote source;
// a candidate left with no address fails with ErrNoAddress.
func keepDialable(c Candidate, allowPrivate bool) (Candidate, error) {
	c.AddrInfo.Addrs = dialableFromRemote(c.AddrInfo.Addrs, allowPrivate)
	if len(c.AddrInfo.Addrs) == 0 {
		return Candidate{}, ErrNoAddress
	}
	return c, nil
}
