package protected

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of WakuMessage (14/WAKU2-MESSAGE, "Wire Format", in
// vacp2p/rfc-index waku/standards/core/14/message.md; nwaku
// waku/waku_core/message/codec.nim). Field 21, rate_limit_proof, belongs to
// 17/WAKU2-RLN-RELAY and is skipped like any unknown field.
const (
	fieldPayload      protowire.Number = 1  // bytes
	fieldContentTopic protowire.Number = 2  // string
	fieldVersion      protowire.Number = 3  // optional uint32
	fieldTimestamp    protowire.Number = 10 // optional sint64, Unix nanoseconds
	fieldMeta         protowire.Number = 11 // optional bytes, at most 64
	fieldEphemeral    protowire.Number = 31 // optional bool
)

// MaxMetaLength is the largest meta attribute 14/WAKU2-MESSAGE allows; nwaku
// refuses to decode a longer one (MaxMetaAttrLength, codec.nim), and so does
// Unmarshal.
const MaxMetaLength = 64

// Message is the part of a WakuMessage that relay, and the protected-shard
// signature, look at.
type Message struct {
	Payload      []byte
	ContentTopic string
	// Version discriminates payload encryption schemes (0: none).
	Version uint32
	// Timestamp is the sender's time in Unix nanoseconds; 0 means unset.
	Timestamp int64
	// Meta is application metadata; on a protected shard, the 64-byte
	// signature.
	Meta      []byte
	Ephemeral bool
}

// ErrMalformed is wrapped by every error of Unmarshal.
var ErrMalformed = errors.New("protected: malformed WakuMessage")

// DecodeError says which field of a WakuMessage could not be decoded.
type DecodeError struct {
	// Field is the protobuf field name, or "" for a broken tag or framing.
	Field  string
	Reason string
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%v: %s", ErrMalformed, e.Reason)
	}
	return fmt.Sprintf("%v: field %s: %s", ErrMalformed, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrMalformed) true.
func (e *DecodeError) Unwrap() error { return ErrMalformed }

// Unmarshal decodes a WakuMessage with proto3 semantics, as the
// google.golang.org/protobuf runtime that go-waku uses does: absent fields
// are zero, the last occurrence of a field wins, unknown fields (and known
// field numbers with an unexpected wire type) are skipped, and a uint32
// version wider than 32 bits is truncated. It refuses what those decoders
// refuse: broken framing, a content topic that is not UTF-8 (a proto3 string)
// and, like nwaku, meta longer than MaxMetaLength. The returned message
// aliases data.
func Unmarshal(data []byte) (Message, error) {
	var m Message
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return Message{}, &DecodeError{Reason: "bad tag: " + protowire.ParseError(n).Error()}
		}
		data = data[n:]
		switch {
		case num == fieldPayload && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(data)
			if n < 0 {
				return Message{}, fieldError("payload", n)
			}
			m.Payload, data = v, data[n:]
		case num == fieldContentTopic && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(data)
			if n < 0 {
				return Message{}, fieldError("content_topic", n)
			}
			if !utf8.Valid(v) {
				return Message{}, &DecodeError{Field: "content_topic", Reason: "not valid UTF-8"}
			}
			m.ContentTopic, data = string(v), data[n:]
		case num == fieldVersion && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(data)
			if n < 0 {
				return Message{}, fieldError("version", n)
			}
			m.Version, data = uint32(v), data[n:]
		case num == fieldTimestamp && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(data)
			if n < 0 {
				return Message{}, fieldError("timestamp", n)
			}
			m.Timestamp, data = protowire.DecodeZigZag(v), data[n:]
		case num == fieldMeta && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(data)
			if n < 0 {
				return Message{}, fieldError("meta", n)
			}
			if len(v) > MaxMetaLength {
				return Message{}, &DecodeError{Field: "meta", Reason: fmt.Sprintf("%d bytes, at most %d allowed", len(v), MaxMetaLength)}
			}
			m.Meta, data = v, data[n:]
		case num == fieldEphemeral && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(data)
			if n < 0 {
				return Message{}, fieldError("ephemeral", n)
			}
			m.Ephemeral, data = v != 0, data[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, data)
			if n < 0 {
				return Message{}, &DecodeError{Reason: fmt.Sprintf("field %d: %v", num, protowire.ParseError(n))}
			}
			data = data[n:]
		}
	}
	return m, nil
}

func fieldError(field string, n int) error {
	return &DecodeError{Field: field, Reason: protowire.ParseError(n).Error()}
}

// Marshal returns the protobuf encoding of m, fields in number order.
// Payload and content topic are always written, even when empty, because
// nwaku's decoder treats them as required; the optional fields are written
// when they are not zero.
func (m Message) Marshal() []byte {
	return m.AppendMarshal(make([]byte, 0, m.size()))
}

// AppendMarshal appends the encoding of m (as Marshal) to b.
func (m Message) AppendMarshal(b []byte) []byte {
	b = protowire.AppendTag(b, fieldPayload, protowire.BytesType)
	b = protowire.AppendBytes(b, m.Payload)
	b = protowire.AppendTag(b, fieldContentTopic, protowire.BytesType)
	b = protowire.AppendString(b, m.ContentTopic)
	if m.Version != 0 {
		b = protowire.AppendTag(b, fieldVersion, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(m.Version))
	}
	if m.Timestamp != 0 {
		b = protowire.AppendTag(b, fieldTimestamp, protowire.VarintType)
		b = protowire.AppendVarint(b, protowire.EncodeZigZag(m.Timestamp))
	}
	if len(m.Meta) > 0 {
		b = protowire.AppendTag(b, fieldMeta, protowire.BytesType)
		b = protowire.AppendBytes(b, m.Meta)
	}
	if m.Ephemeral {
		b = protowire.AppendTag(b, fieldEphemeral, protowire.VarintType)
		b = protowire.AppendVarint(b, 1)
	}
	return b
}

func (m Message) size() int {
	n := protowire.SizeTag(fieldPayload) + protowire.SizeBytes(len(m.Payload)) +
		protowire.SizeTag(fieldContentTopic) + protowire.SizeBytes(len(m.ContentTopic))
	if m.Version != 0 {
		n += protowire.SizeTag(fieldVersion) + protowire.SizeVarint(uint64(m.Version))
	}
	if m.Timestamp != 0 {
		n += protowire.SizeTag(fieldTimestamp) + protowire.SizeVarint(protowire.EncodeZigZag(m.Timestamp))
	}
	if len(m.Meta) > 0 {
		n += protowire.SizeTag(fieldMeta) + protowire.SizeBytes(len(m.Meta))
	}
	if m.Ephemeral {
		n += protowire.SizeTag(fieldEphemeral) + protowire.SizeVarint(1)
	}
	return n
}
