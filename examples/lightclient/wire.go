package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/protocols"
)

// A minimal light push v3 exchange (waku-org/specs standards/core/
// lightpush.md): the request carries request_id (1), pubsub_topic (20) and
// message (21); the response request_id (1) and status_code (10). Filter v2
// responses have the same request_id/status_code shape. Messages are
// length-prefixed with a uvarint. A real client uses its own light-push
// implementation; the example only needs a status code to report.

const (
	maxMessage     = 64 << 10
	requestTimeout = 5 * time.Second
)

// lightPush publishes payload on topic through p and returns the outcome to
// report to the selector.
func lightPush(ctx context.Context, h host.Host, p peer.ID, topic, contentTopic string, payload []byte) selection.Outcome {
	msg := protowire.AppendTag(nil, 1, protowire.BytesType)
	msg = protowire.AppendBytes(msg, payload)
	msg = protowire.AppendTag(msg, 2, protowire.BytesType)
	msg = protowire.AppendString(msg, contentTopic)
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	req = protowire.AppendString(req, fmt.Sprintf("%x", payload))
	req = protowire.AppendTag(req, 20, protowire.BytesType)
	req = protowire.AppendString(req, topic)
	req = protowire.AppendTag(req, 21, protowire.BytesType)
	req = protowire.AppendBytes(req, msg)

	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	s, err := h.NewStream(ctx, p, protocols.LightPush)
	if err != nil {
		return selection.OutcomeDialFailed
	}
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(requestTimeout))
	if err := writeDelimited(s, req); err != nil {
		return selection.OutcomeTimeout
	}
	resp, err := readDelimited(bufio.NewReader(s))
	if err != nil {
		return selection.OutcomeTimeout
	}
	code, err := field10(resp)
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
		req, err := readDelimited(bufio.NewReader(s))
		if err != nil {
			_ = s.Reset()
			return
		}
		id, _ := field1(req)
		resp := protowire.AppendTag(nil, 1, protowire.BytesType)
		resp = protowire.AppendString(resp, id)
		resp = protowire.AppendTag(resp, 10, protowire.VarintType)
		resp = protowire.AppendVarint(resp, uint64(status()))
		_ = writeDelimited(s, resp)
	})
}

// walk calls f for each field of a protobuf message until f returns false.
func walk(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte) bool) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return protowire.ParseError(m)
		}
		if !f(num, typ, b[n:n+m]) {
			return nil
		}
		b = b[n+m:]
	}
	return nil
}

func field1(b []byte) (string, error) {
	var id string
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte) bool {
		if num == 1 && typ == protowire.BytesType {
			s, n := protowire.ConsumeString(v)
			if n >= 0 {
				id = s
			}
			return false
		}
		return true
	})
	return id, err
}

func field10(b []byte) (uint32, error) {
	var code uint64
	found := false
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte) bool {
		if num == 10 && typ == protowire.VarintType {
			c, n := protowire.ConsumeVarint(v)
			code, found = c, n >= 0
			return false
		}
		return true
	})
	if err == nil && !found {
		err = errors.New("response without status_code")
	}
	return uint32(code), err
}

func writeDelimited(w io.Writer, b []byte) error {
	_, err := w.Write(append(binary.AppendUvarint(nil, uint64(len(b))), b...))
	return err
}

func readDelimited(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > maxMessage {
		return nil, fmt.Errorf("message of %d bytes, limit %d", n, maxMessage)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return b, err
}
