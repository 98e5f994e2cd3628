package servicetest

import (
	"context"
	"sync"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// Exchange writes one raw frame body on a new stream of proto to server and
// reads one frame back.
func Exchange(ctx context.Context, h host.Host, server peer.ID, proto string, body []byte) ([]byte, error) {
	s, err := h.NewStream(ctx, server, protocolID(proto))
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = s.SetDeadline(dl)
	}
	if err := wire.WriteFrame(s, body); err != nil {
		return nil, err
	}
	if err := s.CloseWrite(); err != nil {
		return nil, err
	}
	return wire.ReadFrame(s, wire.MaxLightPushFrame)
}

// Filter sends a filter request and decodes the answer.
func Filter(ctx context.Context, h host.Host, server peer.ID, req wire.SubscribeRequest) (wire.SubscribeResponse, error) {
	b, err := Exchange(ctx, h, server, protocols.FilterSubscribe, req.Marshal())
	if err != nil {
		return wire.SubscribeResponse{}, err
	}
	return wire.DecodeSubscribeResponse(b)
}

// LightPush sends a v3 light push and decodes the answer.
func LightPush(ctx context.Context, h host.Host, server peer.ID, req wire.PushRequest) (wire.PushResponse, error) {
	b, err := Exchange(ctx, h, server, protocols.LightPush, req.Marshal())
	if err != nil {
		return wire.PushResponse{}, err
	}
	return wire.DecodePushResponse(b)
}

// LightPushV2 sends a v2 push and decodes the answer.
func LightPushV2(ctx context.Context, h host.Host, server peer.ID, req wire.PushRPC) (wire.PushRPC, error) {
	b, err := Exchange(ctx, h, server, protocols.LightPushLegacy, req.Marshal())
	if err != nil {
		return wire.PushRPC{}, err
	}
	return wire.DecodePushRPC(b)
}

// Push is a message a client received on filter-push.
type Push struct {
	PubsubTopic string
	Message     protected.Message
}

// Inbox collects the filter pushes a client host receives.
type Inbox struct {
	mu   sync.Mutex
	got  []Push
	wake chan struct{}
}

// NewInbox registers the filter-push handler on h.
func NewInbox(h host.Host) *Inbox {
	in := &Inbox{wake: make(chan struct{}, 1)}
	h.SetStreamHandler(protocols.FilterPush, func(s network.Stream) {
		defer s.Close()
		b, err := wire.ReadFrame(s, wire.MaxLightPushFrame)
		if err != nil {
			return
		}
		p, m, err := wire.DecodeMessagePush(b)
		if err != nil {
			return
		}
		in.mu.Lock()
		in.got = append(in.got, Push{PubsubTopic: p.PubsubTopic, Message: m})
		in.mu.Unlock()
		select {
		case in.wake <- struct{}{}:
		default:
		}
	})
	return in
}

// Got returns the pushes received so far.
func (in *Inbox) Got() []Push {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]Push(nil), in.got...)
}

// Wait returns once n pushes arrived or ctx is done.
func (in *Inbox) Wait(ctx context.Context, n int) []Push {
	for {
		if g := in.Got(); len(g) >= n {
			return g
		}
		select {
		case <-ctx.Done():
			return in.Got()
		case <-in.wake:
		}
	}
}
