package wire

import (
	"slices"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wakupm/wakupm/shardmesh/protected"
)

// SubscribeType is FilterSubscribeRequest.FilterSubscribeType.
type SubscribeType uint32

// The filter request types (waku-org/waku-proto
// waku/filter/v2beta1/filter.proto).
const (
	SubscriberPing SubscribeType = 0
	Subscribe      SubscribeType = 1
	Unsubscribe    SubscribeType = 2
	UnsubscribeAll SubscribeType = 3
)

// String returns the type's proto name.
func (t SubscribeType) String() string {
	switch t {
	case SubscriberPing:
		return "SUBSCRIBER_PING"
	case Subscribe:
		return "SUBSCRIBE"
	case Unsubscribe:
		return "UNSUBSCRIBE"
	case UnsubscribeAll:
		return "UNSUBSCRIBE_ALL"
	default:
		return "UNKNOWN"
	}
}

// SubscribeRequest is FilterSubscribeRequest: request_id = 1,
// filter_subscribe_type = 2, optional pubsub_topic = 10, repeated
// content_topics = 11.
type SubscribeRequest struct {
	RequestID     string
	Type          SubscribeType
	PubsubTopic   string
	HasPubsub     bool // pubsub_topic was present (optional field)
	ContentTopics []string
}

// DecodeSubscribeRequest decodes a FilterSubscribeRequest.
func DecodeSubscribeRequest(data []byte) (SubscribeRequest, error) {
	const msg = "FilterSubscribeRequest"
	var r SubscribeRequest
	err := walk(msg, data, func(fd field) (err error) {
		switch {
		case fd.num == 1 && fd.typ == bytesT:
			r.RequestID, err = str(msg, "request_id", fd)
		case fd.num == 2 && fd.typ == varintT:
			r.Type = SubscribeType(uint32(fd.v)) // an enum is an int32 on the wire
		case fd.num == 10 && fd.typ == bytesT:
			r.PubsubTopic, err = str(msg, "pubsub_topic", fd)
			r.HasPubsub = true
		case fd.num == 11 && fd.typ == bytesT:
			var s string
			if s, err = str(msg, "content_topics", fd); err == nil {
				r.ContentTopics = append(r.ContentTopics, s)
			}
		}
		return err
	})
	if err != nil {
		return SubscribeRequest{}, err
	}
	return r, nil
}

// Marshal encodes the request.
func (r SubscribeRequest) Marshal() []byte {
	var b []byte
	if r.RequestID != "" {
		b = appendString(b, 1, r.RequestID)
	}
	if r.Type != 0 {
		b = appendVarint(b, 2, uint64(r.Type))
	}
	if r.HasPubsub || r.PubsubTopic != "" {
		b = appendString(b, 10, r.PubsubTopic)
	}
	for _, ct := range r.ContentTopics {
		b = appendString(b, 11, ct)
	}
	return b
}

// SubscribeResponse is FilterSubscribeResponse: request_id = 1,
// status_code = 10, optional status_desc = 11.
type SubscribeResponse struct {
	RequestID  string
	StatusCode uint32
	StatusDesc string
}

// DecodeSubscribeResponse decodes a FilterSubscribeResponse.
func DecodeSubscribeResponse(data []byte) (SubscribeResponse, error) {
	const msg = "FilterSubscribeResponse"
	var r SubscribeResponse
	err := walk(msg, data, func(fd field) error {
		_, err := decodeStatusHead(msg, fd, &r.RequestID, &r.StatusCode, &r.StatusDesc)
		return err
	})
	if err != nil {
		return SubscribeResponse{}, err
	}
	return r, nil
}

// Marshal encodes the response.
func (r SubscribeResponse) Marshal() []byte {
	return appendStatusHead(nil, r.RequestID, r.StatusCode, r.StatusDesc)
}

// MessagePush is filter's MessagePush: waku_message = 1, optional
// pubsub_topic = 2. Message holds the WakuMessage's encoding as relayed, so
// a server encodes a push once per relayed message, not once per
// subscriber.
type MessagePush struct {
	Message     []byte // an encoded WakuMessage
	PubsubTopic string
}

// AppendMarshal appends the push's encoding to b.
func (p MessagePush) AppendMarshal(b []byte) []byte {
	b = appendBytes(b, 1, p.Message)
	if p.PubsubTopic != "" {
		b = appendString(b, 2, p.PubsubTopic)
	}
	return b
}

// DecodeMessagePush decodes a MessagePush and its WakuMessage.
func DecodeMessagePush(data []byte) (MessagePush, protected.Message, error) {
	const msg = "MessagePush"
	var p MessagePush
	err := walk(msg, data, func(fd field) (err error) {
		switch {
		case fd.num == 1 && fd.typ == bytesT:
			p.Message = fd.b
		case fd.num == 2 && fd.typ == bytesT:
			p.PubsubTopic, err = str(msg, "pubsub_topic", fd)
		}
		return err
	})
	if err != nil {
		return MessagePush{}, protected.Message{}, err
	}
	m, err := protected.Unmarshal(p.Message)
	if err != nil {
		return MessagePush{}, protected.Message{}, &DecodeError{Message: msg, Field: "waku_message", Reason: err.Error()}
	}
	return p, m, nil
}

// Size returns the length of the push's encoding.
func (p MessagePush) Size() int {
	n := protowire.SizeTag(1) + protowire.SizeBytes(len(p.Message))
	if p.PubsubTopic != "" {
		n += protowire.SizeTag(2) + protowire.SizeBytes(len(p.PubsubTopic))
	}
	return n
}

// AppendFrame appends the push's length-prefixed encoding to b, growing b
// once: a server builds one frame per relayed message and writes it to
// every subscriber.
func (p MessagePush) AppendFrame(b []byte) []byte {
	n := p.Size()
	b = slices.Grow(b, protowire.SizeVarint(uint64(n))+n)
	b = protowire.AppendVarint(b, uint64(n))
	return p.AppendMarshal(b)
}
