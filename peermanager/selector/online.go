package selector

import (
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peerid"
)

// SetOnline tells the selector whether the client has network
// connectivity (status-go's ConnectionChanged, wakuv2/waku.go). While
// offline, lost connections and connectivity failures are not held
// against the peers, and the keep-alive does not ping (see
// selection.Core.SetOnline).
func (s *Selector) SetOnline(online bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.core.SetOnline(online, s.clock())
	s.flush()
}

// Online reports the state last set by SetOnline (true at start).
func (s *Selector) Online() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.core.Online()
}

// ExpectDisconnect tells the selector that the client itself is about to
// close its connection to id: the loss is not the peer's failure.
func (s *Selector) ExpectDisconnect(id peer.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.core.ExpectDisconnect(peerid.ID(id), s.clock())
}

// DisconnectAll closes every connection of the host, as status-go does on
// a switch between wifi and cellular (wakuv2/waku.go
// handleNetworkChangeFromApp), after telling the selector that the losses
// are the client's own doing. It needs WithHost.
func (s *Selector) DisconnectAll() error {
	if s.host == nil {
		return optionError("WithHost", "DisconnectAll needs a host")
	}
	peers := s.host.Network().Peers()
	s.mu.Lock()
	now := s.clock()
	for _, id := range peers {
		s.core.ExpectDisconnect(peerid.ID(id), now)
	}
	s.mu.Unlock()
	var first error
	for _, id := range peers {
		if err := s.host.Network().ClosePeer(id); err != nil && first == nil {
			first = err
		}
	}
	return first
}
