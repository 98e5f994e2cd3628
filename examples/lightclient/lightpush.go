package main

import (
	"bufio"
	"context"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/examples/lightclient/pushwire"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/protocols"
)

// A minimal light push v3 exchange over a libp2p stream; the messages are
// pushwire's. A real client uses its own light-push implementation; the
// example only needs a status code to report.

const requestTimeout = 5 * time.Second

// lightPush publishes payload on topic through p and returns the outcome to
// report to the selector.
func lightPush(ctx context.Context, h host.Host, p peer.ID, topic, contentTopic string, payload []byte) selection.Outcome {
	req := pushwire.Request(fmt.Sprintf("%x", payload), topic, contentTopic, payload)

	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	s, err := h.NewStream(ctx, p, protocols.LightPush)
	if err != nil {
		return selection.OutcomeDialFailed
	}
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(requestTimeout))
	if err := pushwire.WriteFrame(s, req); err != nil {
		return selection.OutcomeTimeout
	}
	resp, err := pushwire.ReadFrame(bufio.NewReader(s))
	if err != nil {
		return selection.OutcomeTimeout
	}
	code, err := pushwire.StatusCode(resp)
	if err != nil {
		return selection.OutcomeTimeout
	}
	return selection.OutcomeOfStatus(code)
}

// serveStatus answers every request of proto with status().
func serveStatus(h host.Host, proto protocol.ID, status func() uint32) {
	h.SetStreamHandler(proto, func(s network.Stream) {
		defer s.Close()
		_ = s.SetDeadline(time.Now().Add(requestTimeout))
		req, err := pushwire.ReadFrame(bufio.NewReader(s))
		if err != nil {
			_ = s.Reset()
			return
		}
		id, _ := pushwire.RequestID(req)
		_ = pushwire.WriteFrame(s, pushwire.Response(id, status()))
	})
}
