package selector_test

// The light push v3 / filter v2 wire shapes the integration test speaks:
// just enough protobuf to carry a request id and a status code.

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
	"github.com/wakupm/wakupm/shardmesh"
)

// lightPush sends a minimal light push v3 request (request_id 1,
// pubsub_topic 20, message 21) and maps the response's status_code (10) to
// an outcome.
func lightPush(ctx context.Context, h host.Host, p peer.ID, shard shardmesh.Shard) selection.Outcome {
	msg := protowire.AppendTag(nil, 1, protowire.BytesType)
	msg = protowire.AppendBytes(msg, []byte("hello"))
	msg = protowire.AppendTag(msg, 2, protowire.BytesType)
	msg = protowire.AppendString(msg, "/toychat/2/huilong/proto")
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	req = protowire.AppendString(req, "req-1")
	req = protowire.AppendTag(req, 20, protowire.BytesType)
	req = protowire.AppendString(req, shard.PubsubTopic())
	req = protowire.AppendTag(req, 21, protowire.BytesType)
	req = protowire.AppendBytes(req, msg)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err := h.NewStream(ctx, p, protocols.LightPush)
	if err != nil {
		return selection.OutcomeDialFailed
	}
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(5 * time.Second))
	if err := writeDelimited(s, req); err != nil {
		return selection.OutcomeTimeout
	}
	resp, err := readDelimited(bufio.NewReader(s))
	if err != nil {
		return selection.OutcomeTimeout
	}
	code, err := statusCode(resp)
	if err != nil {
		return selection.OutcomeTimeout
	}
	return selection.OutcomeOfStatus(code)
}

// serveStatus answers every request of proto with a response carrying the
// request's id (field 1) and status() as status_code (field 10): the shape
// of light push v3 and filter v2 responses.
func serveStatus(h host.Host, proto protocol.ID, status func() uint32) {
	h.SetStreamHandler(proto, func(s network.Stream) {
		defer s.Close()
		_ = s.SetDeadline(time.Now().Add(5 * time.Second))
		req, err := readDelimited(bufio.NewReader(s))
		if err != nil {
			_ = s.Reset()
			return
		}
		var id string
		for b := req; len(b) > 0; {
			num, typ, n := protowire.ConsumeTag(b)
			if n < 0 {
				break
			}
			b = b[n:]
			if num == 1 && typ == protowire.BytesType {
				v, m := protowire.ConsumeString(b)
				if m < 0 {
					break
				}
				id = v
			}
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				break
			}
			b = b[m:]
		}
		resp := protowire.AppendTag(nil, 1, protowire.BytesType)
		resp = protowire.AppendString(resp, id)
		resp = protowire.AppendTag(resp, 10, protowire.VarintType)
		resp = protowire.AppendVarint(resp, uint64(status()))
		_ = writeDelimited(s, resp)
	})
}

func statusCode(resp []byte) (uint32, error) {
	for b := resp; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, protowire.ParseError(n)
		}
		b = b[n:]
		if num == 10 && typ == protowire.VarintType {
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return 0, protowire.ParseError(m)
			}
			return uint32(v), nil
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return 0, protowire.ParseError(m)
		}
		b = b[m:]
	}
	return 0, errors.New("no status_code")
}

const maxTestMessage = 64 << 10

func writeDelimited(w io.Writer, b []byte) error {
	buf := binary.AppendUvarint(nil, uint64(len(b)))
	_, err := w.Write(append(buf, b...))
	return err
}

func readDelimited(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > maxTestMessage {
		return nil, fmt.Errorf("message of %d bytes", n)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return b, err
}
