package enr

import (
	"fmt"
	"net/netip"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/multiformats/go-multiaddr"
)

// DialAddrs returns the addresses a libp2p host can dial a Waku node at,
// from its record: ip/ip6 with tcp, and with quic (/quic-v1), then the
// multiaddrs entry, where an address that still holds a /p2p component is
// a circuit-relay address and gets /p2p-circuit appended (WAKU2-ENR). A
// malformed multiaddrs entry is skipped. The result may be empty.
func DialAddrs(n *enode.Node) []multiaddr.Multiaddr {
	var out []multiaddr.Multiaddr
	if ap, ok := n.TCPEndpoint(); ok {
		if a, err := endpointAddr(ap, "tcp", ""); err == nil {
			out = append(out, a)
		}
	}
	if ap, ok := n.QUICEndpoint(); ok {
		if a, err := endpointAddr(ap, "udp", "/quic-v1"); err == nil {
			out = append(out, a)
		}
	}
	if extra, err := MultiaddrsFromRecord(n.Record()); err == nil {
		for _, a := range extra {
			out = append(out, withCircuit(a))
		}
	}
	return out
}

func endpointAddr(ap netip.AddrPort, transport, suffix string) (multiaddr.Multiaddr, error) {
	if !ap.Addr().IsValid() || ap.Port() == 0 {
		return nil, fmt.Errorf("enr: no %s endpoint", transport)
	}
	family := "ip4"
	if ap.Addr().Is6() && !ap.Addr().Is4In6() {
		family = "ip6"
	}
	return multiaddr.NewMultiaddr(fmt.Sprintf("/%s/%s/%s/%d%s", family, ap.Addr().Unmap(), transport, ap.Port(), suffix))
}

// withCircuit appends /p2p-circuit to a relay address stored without it.
func withCircuit(a multiaddr.Multiaddr) multiaddr.Multiaddr {
	if _, err := a.ValueForProtocol(multiaddr.P_P2P); err != nil {
		return a
	}
	if _, err := a.ValueForProtocol(multiaddr.P_CIRCUIT); err == nil {
		return a
	}
	return a.Encapsulate(multiaddr.StringCast("/p2p-circuit"))
}
