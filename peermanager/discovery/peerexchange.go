package discovery

import (
	"context"
	"sync/atomic"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peermanager/peerexchange"
)

// PeerExchange is a Source that asks peer-exchange responders for records
// and keeps those matching the request. Responders are tried one after the
// other, each search starting at the next one, until N candidates are found
// or every responder was asked once.
type PeerExchange struct {
	client   *peerexchange.Client
	servers  func() []peer.ID
	cfg      config
	searches *searches
	rotation atomic.Uint64
	stats    pxCounters
}

var _ Source = (*PeerExchange)(nil)

type pxCounters struct {
	requests, failures, received, invalid, rejected, unusable atomic.Uint64
}

// PeerExchangeStats are cumulative counts of a PeerExchange source.
type PeerExchangeStats struct {
	Requests uint64 // requests sent
	Failures uint64 // requests that failed (timeout, error status, bad answer)
	Received uint64 // records received
	Invalid  uint64 // records skipped as invalid (bad RLP, forged, oversized)
	Rejected uint64 // valid records that did not match the request
	Unusable uint64 // matching records with no dialable address (special-purpose ones dropped)
}

// NewPeerExchange returns a source asking the responders servers returns,
// at each search (see ConnectedResponders). servers runs on the search
// goroutine and must be safe for concurrent use.
func NewPeerExchange(client *peerexchange.Client, servers func() []peer.ID, opts ...Option) (*PeerExchange, error) {
	if client == nil || servers == nil {
		return nil, &OptionError{Option: "client/servers", Reason: "nil"}
	}
	cfg, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	return &PeerExchange{client: client, servers: servers, cfg: cfg, searches: newSearches(cfg.maxSearches, cfg.timeout)}, nil
}

// ConnectedResponders returns a function listing the peers h is connected to
// that announced the peer-exchange protocol (through identify). It walks the
// connected peers, not the peer store: call it per search, not per message.
func ConnectedResponders(h host.Host) func() []peer.ID {
	return func() []peer.ID {
		var out []peer.ID
		for _, p := range h.Network().Peers() {
			if h.Network().Connectedness(p) != network.Connected {
				continue
			}
			if ok, err := h.Peerstore().SupportsProtocols(p, peerexchange.ProtocolID); err == nil && len(ok) > 0 {
				out = append(out, p)
			}
		}
		return out
	}
}

// Find implements Source.
func (s *PeerExchange) Find(ctx context.Context, req Request) (<-chan Candidate, error) {
	return s.searches.start(ctx, req, func(ctx context.Context, emit func(Candidate) bool) {
		servers := s.servers()
		if len(servers) == 0 {
			return
		}
		ask := max(s.cfg.askPeers, req.N)
		first := int(s.rotation.Add(1) % uint64(len(servers)))
		for i := range servers {
			if ctx.Err() != nil {
				return
			}
			server := servers[(first+i)%len(servers)]
			s.stats.requests.Add(1)
			res, err := s.client.Request(ctx, server, ask, req.MatchNode)
			if err != nil {
				s.stats.failures.Add(1)
				s.cfg.logger.Debug("discovery: peer exchange failed", "server", server, "err", err)
				continue
			}
			s.stats.received.Add(uint64(res.Received))
			s.stats.invalid.Add(uint64(res.Invalid))
			s.stats.rejected.Add(uint64(res.Rejected))
			for _, n := range res.Nodes {
				c, err := CandidateFromNode(n, OriginPeerExchange)
				if err == nil {
					c, err = keepDialable(c, s.cfg.private)
				}
				if err != nil {
					s.stats.unusable.Add(1)
					continue
				}
				if !emit(c) {
					return
				}
			}
		}
	})
}

// Stats returns cumulative counts since the source was created.
func (s *PeerExchange) Stats() PeerExchangeStats {
	return PeerExchangeStats{
		Requests: s.stats.requests.Load(),
		Failures: s.stats.failures.Load(),
		Received: s.stats.received.Load(),
		Invalid:  s.stats.invalid.Load(),
		Rejected: s.stats.rejected.Load(),
		Unusable: s.stats.unusable.Load(),
	}
}

// Close stops the searches in progress and waits for them. Later Finds
// return ErrClosed. It always returns nil.
func (s *PeerExchange) Close() error {
	s.searches.close()
	return nil
}
