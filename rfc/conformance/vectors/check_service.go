package vectors

import (
	"encoding/hex"
	"encoding/json"

	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// The service kinds (SERVE-1, SERVE-6) decode the messages of filter v2
// and light push v2/v3 with service/wire, and refuse a request for what a
// server answers 400 without looking at its own configuration (the shards
// it serves, whether it autoshards): broken protobuf, no or unparsable
// topics, too many content topics, an unknown filter request type.

// FilterRequestValue is the value of filter-subscribe-request.
type FilterRequestValue struct {
	RequestID     string   `json:"request_id"`
	Type          string   `json:"type"`
	PubsubTopic   *string  `json:"pubsub_topic"`
	ContentTopics []string `json:"content_topics"`
}

// FilterResponseValue is the value of filter-subscribe-response.
type FilterResponseValue struct {
	RequestID  string  `json:"request_id"`
	StatusCode uint32  `json:"status_code"`
	StatusDesc *string `json:"status_desc"`
}

// MessageValue is a WakuMessage in the service kinds' values.
type MessageValue struct {
	ContentTopic string `json:"content_topic"`
	PayloadHex   string `json:"payload_hex"`
	Version      uint32 `json:"version"`
}

// MessagePushValue is the value of message-push.
type MessagePushValue struct {
	PubsubTopic *string      `json:"pubsub_topic"`
	Message     MessageValue `json:"message"`
}

// PushRequestValue is the value of lightpush-v3-request.
type PushRequestValue struct {
	RequestID   string       `json:"request_id"`
	PubsubTopic *string      `json:"pubsub_topic"`
	Message     MessageValue `json:"message"`
}

// PushResponseValue is the value of lightpush-v3-response.
type PushResponseValue struct {
	RequestID      string  `json:"request_id"`
	StatusCode     uint32  `json:"status_code"`
	StatusDesc     *string `json:"status_desc"`
	RelayPeerCount *uint32 `json:"relay_peer_count"`
}

// PushRPCValue is the value of lightpush-v2-rpc.
type PushRPCValue struct {
	RequestID string           `json:"request_id"`
	Request   *PushRPCRequest  `json:"request"`
	Response  *PushRPCResponse `json:"response"`
}

// PushRPCRequest is the request of a light push v2 PushRpc.
type PushRPCRequest struct {
	PubsubTopic string       `json:"pubsub_topic"`
	Message     MessageValue `json:"message"`
}

// PushRPCResponse is the response of a light push v2 PushRpc.
type PushRPCResponse struct {
	IsSuccess bool    `json:"is_success"`
	Info      *string `json:"info"`
}

func optString(s string, present bool) *string {
	if !present {
		return nil
	}
	return &s
}

func messageValue(m protected.Message) MessageValue {
	return MessageValue{ContentTopic: m.ContentTopic, PayloadHex: hex.EncodeToString(m.Payload), Version: m.Version}
}

func checkFilterRequest(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindFilterRequest, input)
	if err != nil {
		return nil, "", err
	}
	r, err := wire.DecodeSubscribeRequest(b)
	if err != nil {
		return nil, ClassMalformed, nil
	}
	switch r.Type {
	case wire.SubscriberPing, wire.UnsubscribeAll:
	case wire.Subscribe, wire.Unsubscribe:
		if class := topicsClass(r.PubsubTopic, r.HasPubsub, r.ContentTopics); class != "" {
			return nil, class, nil
		}
	default:
		return nil, ClassUnsupportedValue, nil
	}
	v := FilterRequestValue{RequestID: r.RequestID, Type: r.Type.String(),
		PubsubTopic: optString(r.PubsubTopic, r.HasPubsub), ContentTopics: r.ContentTopics}
	if v.ContentTopics == nil {
		v.ContentTopics = []string{}
	}
	return v, "", nil
}

// topicsClass is the class of a request's topics that a server refuses
// with 400 whatever shards it serves (SERVE-4, SERVE-6).
func topicsClass(pubsubTopic string, has bool, contentTopics []string) string {
	switch {
	case len(contentTopics) > wire.MaxContentTopicsPerRequest:
		return ClassOutOfRange
	case len(contentTopics) == 0:
		return ClassMalformed
	}
	if has {
		if _, err := shardmesh.ParsePubsubTopic(pubsubTopic); err != nil {
			return ClassMalformed
		}
	}
	for _, ct := range contentTopics {
		if _, err := shardmesh.ParseContentTopic(ct); err != nil {
			return ClassMalformed
		}
	}
	return ""
}

func checkFilterResponse(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindFilterResponse, input)
	if err != nil {
		return nil, "", err
	}
	r, err := wire.DecodeSubscribeResponse(b)
	if err != nil {
		return nil, ClassMalformed, nil
	}
	return FilterResponseValue{RequestID: r.RequestID, StatusCode: r.StatusCode,
		StatusDesc: optString(r.StatusDesc, r.StatusDesc != "")}, "", nil
}

func checkMessagePush(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindMessagePush, input)
	if err != nil {
		return nil, "", err
	}
	p, m, err := wire.DecodeMessagePush(b)
	if err != nil {
		return nil, ClassMalformed, nil
	}
	if p.Message == nil {
		// 12/WAKU2-FILTER "Message Push": one and only one waku_message.
		return nil, ClassMalformed, nil
	}
	return MessagePushValue{PubsubTopic: optString(p.PubsubTopic, p.PubsubTopic != ""), Message: messageValue(m)}, "", nil
}

// pushedMessage decodes and checks a light-pushed message as a server does
// before it looks at its shards.
func pushedMessage(pubsubTopic string, has bool, msg []byte, hasMsg bool) (MessageValue, string) {
	if !hasMsg {
		return MessageValue{}, ClassMalformed
	}
	m, err := wire.DecodeWakuMessage(msg)
	if err != nil {
		return MessageValue{}, ClassMalformed
	}
	if class := topicsClass(pubsubTopic, has, []string{m.ContentTopic}); class != "" {
		return MessageValue{}, class
	}
	return messageValue(m), ""
}

func checkPushRequest(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindPushRequest, input)
	if err != nil {
		return nil, "", err
	}
	r, err := wire.DecodePushRequest(b)
	if err != nil {
		return nil, ClassMalformed, nil
	}
	m, class := pushedMessage(r.PubsubTopic, r.HasPubsub, r.Message, r.HasMessage)
	if class != "" {
		return nil, class, nil
	}
	return PushRequestValue{RequestID: r.RequestID, PubsubTopic: optString(r.PubsubTopic, r.HasPubsub), Message: m}, "", nil
}

func checkPushResponse(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindPushResponse, input)
	if err != nil {
		return nil, "", err
	}
	r, err := wire.DecodePushResponse(b)
	if err != nil {
		return nil, ClassMalformed, nil
	}
	v := PushResponseValue{RequestID: r.RequestID, StatusCode: r.StatusCode,
		StatusDesc: optString(r.StatusDesc, r.StatusDesc != "")}
	if r.HasPeerCount {
		n := r.RelayPeerCount
		v.RelayPeerCount = &n
	}
	return v, "", nil
}

func checkPushRPC(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindPushRPC, input)
	if err != nil {
		return nil, "", err
	}
	r, err := wire.DecodePushRPC(b)
	if err != nil {
		return nil, ClassMalformed, nil
	}
	v := PushRPCValue{RequestID: r.RequestID}
	if r.HasRequest {
		// v2's pubsub_topic is not optional: empty means "autoshard".
		m, class := pushedMessage(r.PubsubTopic, r.PubsubTopic != "", r.Message, r.HasMessage)
		if class != "" {
			return nil, class, nil
		}
		v.Request = &PushRPCRequest{PubsubTopic: r.PubsubTopic, Message: m}
	}
	if r.HasResponse {
		v.Response = &PushRPCResponse{IsSuccess: r.IsSuccess, Info: optString(r.Info, r.Info != "")}
	}
	return v, "", nil
}
