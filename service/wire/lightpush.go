package wire

import (
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// PushRequest is light push v3's LightpushRequest (waku-org/specs
// standards/core/lightpush.md): request_id = 1, optional pubsub_topic = 20,
// message = 21. Message is the WakuMessage's encoding as received, so the
// server relays the bytes the client sent.
type PushRequest struct {
	RequestID   string
	PubsubTopic string
	HasPubsub   bool
	Message     []byte
	HasMessage  bool
}

// DecodePushRequest decodes a LightpushRequest. The WakuMessage is not
// decoded here (DecodeWakuMessage does it), so a server can tell a broken
// envelope (400) from an invalid message (420).
func DecodePushRequest(data []byte) (PushRequest, error) {
	const msg = "LightpushRequest"
	var r PushRequest
	err := walk(msg, data, func(fd field) (err error) {
		switch {
		case fd.num == 1 && fd.typ == bytesT:
			r.RequestID, err = str(msg, "request_id", fd)
		case fd.num == 20 && fd.typ == bytesT:
			r.PubsubTopic, err = str(msg, "pubsub_topic", fd)
			r.HasPubsub = true
		case fd.num == 21 && fd.typ == bytesT:
			r.Message, r.HasMessage = fd.b, true
		}
		return err
	})
	if err != nil {
		return PushRequest{}, err
	}
	return r, nil
}

// Marshal encodes the request.
func (r PushRequest) Marshal() []byte {
	var b []byte
	if r.RequestID != "" {
		b = appendString(b, 1, r.RequestID)
	}
	if r.HasPubsub || r.PubsubTopic != "" {
		b = appendString(b, 20, r.PubsubTopic)
	}
	if r.HasMessage || r.Message != nil {
		b = appendBytes(b, 21, r.Message)
	}
	return b
}

// PushResponse is light push v3's LightpushResponse: request_id = 1,
// status_code = 10, optional status_desc = 11, optional relay_peer_count =
// 12.
type PushResponse struct {
	RequestID      string
	StatusCode     uint32
	StatusDesc     string
	RelayPeerCount uint32
	HasPeerCount   bool
}

// DecodePushResponse decodes a LightpushResponse.
func DecodePushResponse(data []byte) (PushResponse, error) {
	const msg = "LightpushResponse"
	var r PushResponse
	err := walk(msg, data, func(fd field) error {
		if head, err := decodeStatusHead(msg, fd, &r.RequestID, &r.StatusCode, &r.StatusDesc); head {
			return err
		}
		if fd.num == 12 && fd.typ == varintT {
			r.RelayPeerCount, r.HasPeerCount = uint32(fd.v), true
		}
		return nil
	})
	if err != nil {
		return PushResponse{}, err
	}
	return r, nil
}

// Marshal encodes the response.
func (r PushResponse) Marshal() []byte {
	b := appendStatusHead(nil, r.RequestID, r.StatusCode, r.StatusDesc)
	if r.HasPeerCount || r.RelayPeerCount != 0 {
		b = appendVarint(b, 12, uint64(r.RelayPeerCount))
	}
	return b
}

// PushRPC is light push v2's PushRpc (waku-org/waku-proto
// waku/lightpush/v2beta1/lightpush.proto): request_id = 1, optional
// request = 2 (PushRequest: pubsub_topic = 1, message = 2), optional
// response = 3 (PushResponse: is_success = 1, optional info = 2).
type PushRPC struct {
	RequestID   string
	HasRequest  bool
	PubsubTopic string
	Message     []byte
	HasMessage  bool
	HasResponse bool
	IsSuccess   bool
	Info        string
}

// DecodePushRPC decodes a PushRpc.
func DecodePushRPC(data []byte) (PushRPC, error) {
	const msg = "PushRpc"
	var r PushRPC
	err := walk(msg, data, func(fd field) (err error) {
		switch {
		case fd.num == 1 && fd.typ == bytesT:
			r.RequestID, err = str(msg, "request_id", fd)
		case fd.num == 2 && fd.typ == bytesT:
			r.HasRequest = true
			err = walk("PushRequest", fd.b, func(in field) (err error) {
				switch {
				case in.num == 1 && in.typ == bytesT:
					r.PubsubTopic, err = str("PushRequest", "pubsub_topic", in)
				case in.num == 2 && in.typ == bytesT:
					r.Message, r.HasMessage = in.b, true
				}
				return err
			})
		case fd.num == 3 && fd.typ == bytesT:
			r.HasResponse = true
			err = walk("PushResponse", fd.b, func(in field) (err error) {
				switch {
				case in.num == 1 && in.typ == varintT:
					r.IsSuccess = in.v != 0
				case in.num == 2 && in.typ == bytesT:
					r.Info, err = str("PushResponse", "info", in)
				}
				return err
			})
		}
		return err
	})
	if err != nil {
		return PushRPC{}, err
	}
	return r, nil
}

// Marshal encodes the RPC.
func (r PushRPC) Marshal() []byte {
	var b []byte
	if r.RequestID != "" {
		b = appendString(b, 1, r.RequestID)
	}
	if r.HasRequest {
		var in []byte
		if r.PubsubTopic != "" {
			in = appendString(in, 1, r.PubsubTopic)
		}
		if r.HasMessage || r.Message != nil {
			in = appendBytes(in, 2, r.Message)
		}
		b = appendBytes(b, 2, in)
	}
	if r.HasResponse {
		var in []byte
		if r.IsSuccess {
			in = appendVarint(in, 1, 1)
		}
		if r.Info != "" {
			in = appendString(in, 2, r.Info)
		}
		b = appendBytes(b, 3, in)
	}
	return b
}

// DecodeWakuMessage decodes a WakuMessage (shardmesh/protected's codec).
func DecodeWakuMessage(data []byte) (protected.Message, error) {
	return protected.Unmarshal(data)
}
