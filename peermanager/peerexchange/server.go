package peerexchange

import (
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"

	"github.com/wakupm/wakupm/peermanager/internal/reqresp"
)

// Provider returns up to max records to serve in one response. The spec
// says a responder MUST NOT return peers from its actively used peer list and
// SHOULD return peers sampled by discv5, each used once, from a cache of at
// least 60; the Provider owns that choice. It is called on the stream
// handler's goroutine and must be safe for concurrent use and quick.
type Provider func(max int) []*enode.Node

// Server answers peer-exchange queries with records from a Provider. It
// starts no goroutine of its own; libp2p runs the handler per stream.
type Server struct {
	host    host.Host
	provide Provider
	cfg     config
	mount   reqresp.Mount
}

// NewServer returns a server on host h serving what provide returns.
func NewServer(h host.Host, provide Provider, opts ...Option) (*Server, error) {
	if h == nil {
		return nil, &OptionError{Option: "host", Reason: "nil host"}
	}
	if provide == nil {
		return nil, &OptionError{Option: "provider", Reason: "nil function"}
	}
	cfg, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Server{host: h, provide: provide, cfg: cfg}, nil
}

// Start registers the handler on the host; calling it twice is harmless.
func (s *Server) Start() { s.mount.Start(s.host, ProtocolID, s.handle) }

// Close removes the handler; exchanges in progress end within the timeout.
// It always returns nil.
func (s *Server) Close() error {
	s.mount.Stop(s.host, ProtocolID)
	return nil
}

func (s *Server) handle(st network.Stream) {
	err := reqresp.Serve(st, s.cfg.timeout, maxQuerySize, func(msg []byte) ([]byte, error) {
		var answer Response
		rpc, err := UnmarshalRPC(msg)
		switch {
		case err != nil:
			answer = Response{HasStatus: true, Status: StatusBadRequest, StatusDesc: "malformed PeerExchangeRPC"}
		case rpc.Query == nil:
			answer = Response{HasStatus: true, Status: StatusBadRequest, StatusDesc: "no query"}
		default:
			answer = s.answer(rpc.Query.NumPeers)
		}
		// The query echo keeps nwaku's decoder, which requires field 1, happy.
		out := RPC{Query: &Query{}, Response: &answer}
		return out.Marshal(), nil
	})
	if err != nil {
		s.cfg.logger.Debug("peerexchange: answering a query", "peer", st.Conn().RemotePeer(), "err", err)
	}
}

// answer builds the response to a query for n peers: at most
// min(n, servePeers) records, each re-encoded from its signed record.
func (s *Server) answer(n uint64) Response {
	// Compare in uint64: go-waku's int(NumPeers) turns large values negative
	// and panics (go-waku waku/v2/protocol/peer_exchange/protocol.go:128).
	want := s.cfg.servePeers
	if n < uint64(want) {
		want = int(n)
	}
	resp := Response{HasStatus: true, Status: StatusSuccess}
	if want == 0 {
		return resp
	}
	for _, node := range s.provide(want) {
		if len(resp.ENRs) == want {
			break
		}
		raw, err := rlp.EncodeToBytes(node.Record())
		if err != nil {
			continue
		}
		resp.ENRs = append(resp.ENRs, raw)
	}
	return resp
}
