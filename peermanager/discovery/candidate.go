package discovery

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
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
	c := Candidate{AddrInfo: peer.AddrInfo{ID: id, Addrs: enr.DialAddrs(n)}, Origin: origin, Node: n}
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

// BookOrigin returns the peer book's origin for o.
func (o Origin) BookOrigin() book.Origin {
	switch o {
	case OriginStatic:
		return book.OriginStatic
	case OriginDiscv5:
		return book.OriginDiscv5
	case OriginPeerExchange:
		return book.OriginPeerExchange
	}
	return book.OriginUnknown
}

// Discovered returns what the candidate tells a peer book (selector
// AddPeer takes it with c.AddrInfo.Addrs): one conversion instead of two
// Origin types and hand-copied fields.
func (c Candidate) Discovered() book.DiscoveredPeer {
	d := book.DiscoveredPeer{ID: peerid.ID(c.AddrInfo.ID), Origin: c.Origin.BookOrigin(),
		HasENR: c.Node != nil, Caps: c.Capabilities}
	if c.ShardsKnown {
		d.HasShards, d.Cluster, d.Shards = true, c.Cluster, c.Shards
	}
	if c.Node != nil {
		if ip, ok := netip.AddrFromSlice(c.Node.IP()); ok {
			d.IP = ip.Unmap()
		}
	}
	return d
}
