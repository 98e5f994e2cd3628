package discovery

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/enr"
)

// Origin says which source found a candidate.
type Origin uint8

// Origins of candidates.
const (
	OriginStatic Origin = iota + 1
	OriginDiscv5
	OriginPeerExchange
)

func (o Origin) String() string {
	switch o {
	case OriginStatic:
		return "static"
	case OriginDiscv5:
		return "discv5"
	case OriginPeerExchange:
		return "peer-exchange"
	}
	return fmt.Sprintf("Origin(%d)", uint8(o))
}

// Candidate is a peer a source found.
type Candidate struct {
	// AddrInfo is the libp2p identity and the addresses to dial.
	AddrInfo peer.AddrInfo
	// Origin is the source that found it.
	Origin Origin
	// ShardsKnown reports whether Cluster and Shards come from the peer's
	// record. They are unknown for a static peer given by address only.
	ShardsKnown bool
	Cluster     uint16
	Shards      shardmesh.ShardSet
	// Capabilities from the waku2 field; zero when unknown.
	Capabilities shardmesh.Capabilities
	// Node is the signed record the candidate came from, nil if none.
	Node *enode.Node
}

// ErrNoAddress reports a record with no address libp2p can dial.
var ErrNoAddress = errors.New("discovery: record has no dialable address")

// CandidateFromNode turns a Waku ENR into a candidate: the libp2p peer id
// from the record's secp256k1 key; addresses from ip/ip6 with tcp (and quic
// when present) and from the multiaddrs field, where an address that still
// holds a /p2p component is a circuit-relay address and gets /p2p-circuit
// appended (WAKU2-ENR); cluster, shards and capabilities from rs/rsv and
// waku2 when present. A malformed multiaddrs field is ignored if ip/tcp give
// an address. It fails for records of another identity scheme and for
// records without a dialable address (ErrNoAddress).
func CandidateFromNode(n *enode.Node, origin Origin) (Candidate, error) {
	pub := n.Pubkey()
	if pub == nil {
		return Candidate{}, fmt.Errorf("discovery: record %s has no secp256k1 key", n.ID().TerminalString())
	}
	key, err := p2pcrypto.UnmarshalSecp256k1PublicKey(crypto.CompressPubkey(pub))
	if err != nil {
		return Candidate{}, fmt.Errorf("discovery: record key: %w", err)
	}
	id, err := peer.IDFromPublicKey(key)
	if err != nil {
		return Candidate{}, fmt.Errorf("discovery: peer id: %w", err)
	}
	c := Candidate{AddrInfo: peer.AddrInfo{ID: id}, Origin: origin, Node: n}
	if ap, ok := n.TCPEndpoint(); ok {
		if a, err := endpointAddr(ap, "tcp", ""); err == nil {
			c.AddrInfo.Addrs = append(c.AddrInfo.Addrs, a)
		}
	}
	if ap, ok := n.QUICEndpoint(); ok {
		if a, err := endpointAddr(ap, "udp", "/quic-v1"); err == nil {
			c.AddrInfo.Addrs = append(c.AddrInfo.Addrs, a)
		}
	}
	if extra, err := enr.MultiaddrsFromRecord(n.Record()); err == nil {
		for _, a := range extra {
			c.AddrInfo.Addrs = append(c.AddrInfo.Addrs, withCircuit(a))
		}
	}
	if len(c.AddrInfo.Addrs) == 0 {
		return Candidate{}, ErrNoAddress
	}
	if rs, err := enr.RelayShardsFromRecord(n.Record()); err == nil {
		c.ShardsKnown, c.Cluster, c.Shards = true, rs.Cluster, rs.Set()
	}
	if caps, err := enr.CapabilitiesFromRecord(n.Record()); err == nil {
		c.Capabilities = caps
	}
	return c, nil
}

func endpointAddr(ap netip.AddrPort, transport, suffix string) (multiaddr.Multiaddr, error) {
	if !ap.Addr().IsValid() || ap.Port() == 0 {
		return nil, ErrNoAddress
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
