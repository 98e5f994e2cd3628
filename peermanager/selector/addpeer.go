package selector

import (
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/peermanager/book"
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
