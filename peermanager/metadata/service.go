package metadata

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	msmux "github.com/multiformats/go-multistream"

	"github.com/wakupm/wakupm/peermanager/internal/reqresp"
	"github.com/wakupm/wakupm/shardmesh"
)

// Service speaks the metadata protocol on one libp2p host: Start mounts the
// responder, Request asks a peer. It starts no goroutine of its own: libp2p
// runs the handler on the stream's goroutine, and Request runs on the
// caller's.
type Service struct {
	host    host.Host
	cluster uint16
	cfg     config
	mount   reqresp.Mount
}

// NewService returns a metadata service for host h on cluster. Options are
// validated; an invalid one returns an *OptionError.
func NewService(h host.Host, cluster uint16, opts ...Option) (*Service, error) {
	if h == nil {
		return nil, &OptionError{Option: "host", Reason: "nil host"}
	}
	cfg := config{
		shards:  func() shardmesh.ShardSet { return shardmesh.ShardSet{} },
		timeout: DefaultTimeout,
		maxRead: DefaultMaxReadSize,
		logger:  slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	return &Service{host: h, cluster: cluster, cfg: cfg}, nil
}

// Local returns the metadata we send now: our cluster and current shards.
func (s *Service) Local() Metadata { return New(s.cluster, s.cfg.shards()) }

// Start registers the responder on the host. Calling it twice is harmless.
func (s *Service) Start() { s.mount.Start(s.host, ProtocolID, s.handle) }

// Close removes the responder. Exchanges in progress finish on their own
// within the timeout. It always returns nil.
func (s *Service) Close() error {
	s.mount.Stop(s.host, ProtocolID)
	return nil
}

// handle answers one request: read the peer's metadata, tell the observer,
// send ours, close.
func (s *Service) handle(st network.Stream) {
	remote := st.Conn().RemotePeer()
	err := reqresp.Serve(st, s.cfg.timeout, s.cfg.maxRead, func(msg []byte) ([]byte, error) {
		req, err := Unmarshal(msg)
		if err != nil {
			return nil, fmt.Errorf("decoding request: %w", err)
		}
		if s.cfg.onRequest != nil {
			s.cfg.onRequest(remote, req)
		}
		return s.encodeLocal(), nil
	})
	if err != nil && !errors.Is(err, reqresp.ErrIdle) {
		s.cfg.logger.Debug("metadata: answering a request", "peer", remote, "err", err)
	}
}

// encodeLocal encodes our metadata within MaxWriteSize. Both shard fields fit
// up to about 200 shards; beyond that the deprecated field is left out
// (readers prefer the packed field). Past about 570 shards even the packed
// field does not fit and we advertise the lowest shards that do, rather than
// send a message nwaku cannot read.
func (s *Service) encodeLocal() []byte {
	m := s.Local()
	if m.size(true) <= MaxWriteSize {
		return m.appendFields(nil, true)
	}
	if m.size(false) > MaxWriteSize {
		all := m.Shards.Len()
		for m.size(false) > MaxWriteSize {
			highest, _ := lastShard(m.Shards)
			m.Shards.Remove(highest)
		}
		s.cfg.logger.Warn("metadata: too many shards for one message, advertising the lowest",
			"shards", all, "advertised", m.Shards.Len())
	}
	return m.appendFields(nil, false)
}

func lastShard(set shardmesh.ShardSet) (uint16, bool) {
	var last uint16
	found := false
	for i := range set.All() {
		last, found = i, true
	}
	return last, found
}

// Request sends our metadata (within MaxWriteSize, as answers) to peer p and
// returns the peer's answer. The exchange is bounded by the service timeout
// and by ctx; if ctx allows dialing (the default), libp2p dials p when not
// connected. A failure returns a *RequestError; errors.Is(err,
// ErrUnsupported) tells a peer that does not speak the protocol. Feed the
// result to Policy.Decide.
func (s *Service) Request(ctx context.Context, p peer.ID) (Metadata, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.timeout)
	defer cancel()

	msg, step, err := reqresp.Request(ctx, s.host, p, ProtocolID, s.encodeLocal(), s.cfg.maxRead)
	if err != nil {
		return Metadata{}, requestError(p, Stage(step), err)
	}
	m, err := Unmarshal(msg)
	if err != nil {
		return Metadata{}, requestError(p, StageDecode, err)
	}
	return m, nil
}

func requestError(p peer.ID, stage Stage, err error) *RequestError {
	if errors.Is(err, msmux.ErrNotSupported[protocol.ID]{}) {
		err = fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	return &RequestError{Peer: p, Stage: stage, Err: err}
}
