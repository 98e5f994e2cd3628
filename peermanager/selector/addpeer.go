package selector

import (
	"fmt"
	"net/netip"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh/enr"
)

// AddPeer records a discovered peer (from peer exchange, DNS discovery,
// static configuration) with what its ENR says, and its addresses in the
// host's peerstore (with WithHost; without a host they are ignored), so
// that the selector can dial it.
func (s *Selector) AddPeer(d book.DiscoveredPeer, addrs ...multiaddr.Multiaddr) error {
	if s.host != nil && len(addrs) > 0 {
		s.host.Peerstore().AddAddrs(peer.ID(d.ID), addrs, peerstore.AddressTTL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	if _, err := s.book.Discover(d, now); err != nil {
		return err
	}
	s.core.PeerUpdated(d.ID, now)
	s.flush()
	return nil
}

// AddENR records the Waku node of a signed record in one call: its peer id
// (from the record's secp256k1 key), its dial addresses (ip/tcp, quic,
// multiaddrs: enr.DialAddrs), its cluster and shards (rs/rsv) and its
// capabilities (waku2), found by origin (peer exchange, DNS, static).
func (s *Selector) AddENR(n *enode.Node, origin book.Origin) (peer.ID, error) {
	pub := n.Pubkey()
	if pub == nil {
		return "", fmt.Errorf("selector: record %s has no secp256k1 key", n.ID().TerminalString())
	}
	key, err := p2pcrypto.UnmarshalSecp256k1PublicKey(crypto.CompressPubkey(pub))
	if err != nil {
		return "", fmt.Errorf("selector: record key: %w", err)
	}
	id, err := peer.IDFromPublicKey(key)
	if err != nil {
		return "", fmt.Errorf("selector: peer id: %w", err)
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
