package lightpush

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/service"
	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// Defaults.
const (
	// DefaultRequestTimeout bounds reading a request, relaying it and
	// writing the answer.
	DefaultRequestTimeout = 10 * time.Second
)

// OptionError reports an invalid option.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("lightpush: invalid option %s: %s", e.Option, e.Reason)
}

// Option configures New.
type Option func(*config) error

type config struct {
	timeout time.Duration
	log     *slog.Logger
	legacy  bool
}

// WithRequestTimeout bounds one request.
func WithRequestTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return &OptionError{"WithRequestTimeout", fmt.Sprintf("timeout %v must be positive", d)}
		}
		c.timeout = d
		return nil
	}
}

// WithoutLegacy serves v3 only.
func WithoutLegacy() Option {
	return func(c *config) error { c.legacy = false; return nil }
}

// WithLogger sets the logger (debug level for refusals).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return &OptionError{"WithLogger", "nil logger"}
		}
		c.log = l
		return nil
	}
}

// Server is a light push server on a libp2p host. New registers its stream
// handlers; Close removes them. It starts no goroutine of its own (each
// request runs on the stream's).
type Server struct {
	h     host.Host
	g     *gater.Gater
	relay Relay
	scope service.Scope
	cfg   config

	answers sync.Map // status code -> *atomic.Uint64
	relayed atomic.Uint64
}

// ErrNoShards is returned by New for a scope that serves no shard.
var ErrNoShards = errors.New("lightpush: scope serves no shard")

// New returns a light push server for h that admits through g's light-push
// pool, accepts messages for the shards of scope and hands them to relay.
func New(h host.Host, g *gater.Gater, relay Relay, scope service.Scope, opts ...Option) (*Server, error) {
	if scope.Shards.Empty() {
		return nil, ErrNoShards
	}
	if relay == nil {
		return nil, &OptionError{"New", "nil relay"}
	}
	cfg := config{timeout: DefaultRequestTimeout, log: slog.New(slog.DiscardHandler), legacy: true}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	s := &Server{h: h, g: g, relay: relay, scope: scope, cfg: cfg}
	h.SetStreamHandler(protocols.LightPush, s.handleV3)
	if cfg.legacy {
		h.SetStreamHandler(protocols.LightPushLegacy, s.handleV2)
	}
	return s, nil
}

// Close removes the stream handlers.
func (s *Server) Close() error {
	s.h.RemoveStreamHandler(protocols.LightPush)
	s.h.RemoveStreamHandler(protocols.LightPushLegacy)
	return nil
}

// Result is the outcome of one push, before it is written in v3's or v2's
// form.
type Result struct {
	Code       uint32
	Desc       string
	RelayPeers int
}

// Push admits peer id at addr, checks the message and relays it. The stream
// handlers call it once they have read and decoded the request; a node on
// another transport may too. message is the WakuMessage's encoding.
func (s *Server) Push(ctx context.Context, id peer.ID, addr netip.Addr, pubsubTopic string, hasTopic bool, message []byte, hasMessage bool) Result {
	if _, err := s.g.AdmitPeer(slots.LightPush, id, addr, time.Now()); err != nil {
		if code, desc, ok := service.AdmissionRefusal(err); ok {
			return Result{Code: code, Desc: desc}
		}
		return Result{Code: wire.StatusServiceUnavailable, Desc: err.Error()}
	}
	if !hasMessage {
		return Result{Code: wire.StatusBadRequest, Desc: "no message"}
	}
	if len(message) > wire.MaxWakuMessageSize {
		return Result{Code: wire.StatusPayloadTooLarge, Desc: fmt.Sprintf("message of %d bytes, limit %d", len(message), wire.MaxWakuMessageSize)}
	}
	m, err := wire.DecodeWakuMessage(message)
	if err != nil {
		return Result{Code: wire.StatusBadRequest, Desc: err.Error()}
	}
	topic, err := s.scope.PubsubTopicOf(pubsubTopic, hasTopic, m.ContentTopic)
	switch {
	case errors.Is(err, service.ErrUnsupportedShard):
		return Result{Code: wire.StatusUnsupportedPubsubTopic, Desc: err.Error()}
	case err != nil:
		return Result{Code: wire.StatusBadRequest, Desc: err.Error()}
	}
	n, err := s.relay.Publish(ctx, topic, message)
	switch {
	case errors.Is(err, ErrNoRelayPeers):
		return Result{Code: wire.StatusNoPeersToRelay, Desc: err.Error()}
	case errors.Is(err, ErrInvalidMessage):
		return Result{Code: wire.StatusInvalidMessage, Desc: err.Error()}
	case errors.Is(err, ErrNotJoined):
		return Result{Code: wire.StatusUnsupportedPubsubTopic, Desc: err.Error()}
	case err != nil:
		return Result{Code: wire.StatusInternalServerError, Desc: err.Error()}
	}
	s.relayed.Add(1)
	return Result{Code: wire.StatusOK, RelayPeers: n}
}

func (s *Server) handleV3(st network.Stream) {
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.timeout)
	defer cancel()
	data, tooLarge, ok := service.ReadRequest(st, s.cfg.timeout, wire.MaxLightPushFrame, 2*wire.MaxLightPushFrame)
	if !ok {
		return
	}
	var resp wire.PushResponse
	switch {
	case tooLarge != nil:
		resp = wire.PushResponse{StatusCode: wire.StatusPayloadTooLarge, StatusDesc: tooLarge.Error()}
	default:
		req, err := wire.DecodePushRequest(data)
		if err != nil {
			resp = wire.PushResponse{StatusCode: wire.StatusBadRequest, StatusDesc: err.Error()}
			break
		}
		c := st.Conn()
		r := s.Push(ctx, c.RemotePeer(), gater.AddrOf(c.RemoteMultiaddr()), req.PubsubTopic, req.HasPubsub, req.Message, req.HasMessage)
		resp = wire.PushResponse{RequestID: req.RequestID, StatusCode: r.Code, StatusDesc: r.Desc}
		if r.Code == wire.StatusOK {
			resp.RelayPeerCount, resp.HasPeerCount = uint32(r.RelayPeers), true
		}
	}
	s.count(resp.StatusCode, st.Conn().RemotePeer(), resp.StatusDesc)
	_ = wire.WriteFrame(st, resp.Marshal())
}

// handleV2 answers v2 with is_success and, on failure, an info string that
// starts with the v3 status code, so a v2 client's log says which.
func (s *Server) handleV2(st network.Stream) {
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.timeout)
	defer cancel()
	data, tooLarge, ok := service.ReadRequest(st, s.cfg.timeout, wire.MaxLightPushFrame, 2*wire.MaxLightPushFrame)
	if !ok {
		return
	}
	resp := wire.PushRPC{HasResponse: true}
	var r Result
	switch {
	case tooLarge != nil:
		r = Result{Code: wire.StatusPayloadTooLarge, Desc: tooLarge.Error()}
	default:
		req, err := wire.DecodePushRPC(data)
		switch {
		case err != nil:
			r = Result{Code: wire.StatusBadRequest, Desc: err.Error()}
		case !req.HasRequest:
			resp.RequestID = req.RequestID
			r = Result{Code: wire.StatusBadRequest, Desc: "no request"}
		default:
			resp.RequestID = req.RequestID
			c := st.Conn()
			// v2 always names the pubsub topic (a proto3 string: empty when absent).
			r = s.Push(ctx, c.RemotePeer(), gater.AddrOf(c.RemoteMultiaddr()), req.PubsubTopic, req.PubsubTopic != "", req.Message, req.HasMessage)
		}
	}
	resp.IsSuccess = r.Code == wire.StatusOK
	if !resp.IsSuccess {
		resp.Info = v2Info(r)
	}
	s.count(r.Code, st.Conn().RemotePeer(), r.Desc)
	_ = wire.WriteFrame(st, resp.Marshal())
}

// TooManyRequestsInfo is the v2 info of a 429, nwaku's
// TooManyRequestsMessage (waku/waku_lightpush/common.nim), which clients
// match on.
const TooManyRequestsInfo = "Request rejected due to too many requests"

func v2Info(r Result) string {
	if r.Code == wire.StatusTooManyRequests {
		return TooManyRequestsInfo
	}
	return fmt.Sprintf("%d: %s", r.Code, r.Desc)
}

func (s *Server) count(code uint32, id peer.ID, desc string) {
	v, _ := s.answers.LoadOrStore(code, new(atomic.Uint64))
	v.(*atomic.Uint64).Add(1)
	if code != wire.StatusOK {
		s.cfg.log.Debug("lightpush: push refused", "peer", id, "status", code, "desc", desc)
	}
}

// Stats is a snapshot of a Server's counters.
type Stats struct {
	Answers map[uint32]uint64 // by status code
	Relayed uint64
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	st := Stats{Answers: map[uint32]uint64{}, Relayed: s.relayed.Load()}
	s.answers.Range(func(k, v any) bool {
		st.Answers[k.(uint32)] = v.(*atomic.Uint64).Load()
		return true
	})
	return st
}
