package pushwire

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// MaxMessage bounds a frame: the example's messages are a few bytes, and a
// peer's answer larger than this is refused unread.
const MaxMessage = 64 << 10

// Request encodes a LightpushRequest: request_id (1) id, pubsub_topic (20)
// pubsubTopic and message (21) a WakuMessage of payload (1) and
// content_topic (2).
func Request(id, pubsubTopic, contentTopic string, payload []byte) []byte {
	msg := protowire.AppendTag(nil, 1, protowire.BytesType)
	msg = protowire.AppendBytes(msg, payload)
	msg = protowire.AppendTag(msg, 2, protowire.BytesType)
	msg = protowire.AppendString(msg, contentTopic)
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	req = protowire.AppendString(req, id)
	req = protowire.AppendTag(req, 20, protowire.BytesType)
	req = protowire.AppendString(req, pubsubTopic)
	req = protowire.AppendTag(req, 21, protowire.BytesType)
	return protowire.AppendBytes(req, msg)
}

// Response encodes a LightpushResponse (or a filter v2
// FilterSubscribeResponse): request_id (1) id and status_code (10) status.
func Response(id string, status uint32) []byte {
	resp := protowire.AppendTag(nil, 1, protowire.BytesType)
	resp = protowire.AppendString(resp, id)
	resp = protowire.AppendTag(resp, 10, protowire.VarintType)
	return protowire.AppendVarint(resp, uint64(status))
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

// RequestID returns the request_id (field 1) of a request or response: the
// first one, "" when there is none.
func RequestID(b []byte) (string, error) {
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

// StatusCode returns the status_code (field 10) of a response: the first
// one; a response without one is an error.
func StatusCode(b []byte) (uint32, error) {
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

// WriteFrame writes b with its uvarint length prefix in one Write.
func WriteFrame(w io.Writer, b []byte) error {
	_, err := w.Write(append(binary.AppendUvarint(nil, uint64(len(b))), b...))
	return err
}

// ReadFrame reads one uvarint length-prefixed frame of at most MaxMessage
// bytes; a larger one is an error and its bytes are not read.
func ReadFrame(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > MaxMessage {
		return nil, fmt.Errorf("message of %d bytes, limit %d", n, MaxMessage)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return b, err
}
