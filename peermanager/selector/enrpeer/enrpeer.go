package enrpeer

import (
	"fmt"
	"net/netip"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/shardmesh/enr"
)

// AddENR records in s the Waku node of a signed record, in one call: its peer id
// (from the record's secp256k1 key), its dial addresses (ip/tcp, quic,
// multiaddrs: enr.DialAddrs), its cluster and shards (rs/rsv) and its
// capabilities (waku2), found by origin (peer exchange, DNS, static).
func AddENR(s *selector.Selector, n *enode.Node, origin book.Origin) (peer.ID, error) {
	pub := n.Pubkey()
	if pub == nil {
		return "", fmt.Errorf("enrpeer: record %s has no secp256k1 key", n.ID().TerminalString())
	}
	key, err := p2pcrypto.UnmarshalSecp256k1PublicKey(crypto.CompressPubkey(pub))
	if err != nil {
		return "", fmt.Errorf("enrpeer: record key: %w", err)
	}
	id, err := peer.IDFromPublicKey(key)
	if err != nil {
		return "", fmt.Errorf("enrpeer: peer id: %w", err)
	}
	d := book.DiscoveredPeer{ID: peerid.ID(id), Origin: origin, HasENR: true}
	if rs, err := enr.RelayShardsFromRecord(n.Record()); err == nil {
		d.HasShards, d.Cluster, d.Shards = true, rs.Cluster, rs.Set()
	}
	if caps, err := enr.CapabilitiesFromRecord(n.Record()); err == nil {
		d.Caps = caps
	}
	if ip := n.IP(); ip != nil {
		if a, ok := netip.AddrFromSlice(ip); ok {
			d.IP = a.Unmap()
		}
	}
	return id, s.AddPeer(d, enr.DialAddrs(n)...)
}
