package wire

import (
	"bytes"
	"reflect"
	"testing"
)

// Each fuzz target feeds arbitrary bytes to one decoder: it must not panic,
// and what it accepts must survive a re-encoding unchanged.

func FuzzDecodeSubscribeRequest(f *testing.F) {
	f.Add(SubscribeRequest{RequestID: "r1", Type: Subscribe, PubsubTopic: "/waku/2/rs/16/32", HasPubsub: true,
		ContentTopics: []string{"/app/1/chat/proto"}}.Marshal())
	f.Add(SubscribeRequest{RequestID: "p", Type: SubscriberPing}.Marshal())
	f.Add([]byte{0x0a, 0x02, 0xff, 0xfe})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeSubscribeRequest(data)
		if err != nil {
			return
		}
		enc := r.Marshal()
		back, err := DecodeSubscribeRequest(enc)
		if err != nil {
			t.Fatalf("re-decoding %x: %v", enc, err)
		}
		if !reflect.DeepEqual(r, back) {
			t.Fatalf("round trip changed %+v into %+v", r, back)
		}
	})
}

func FuzzDecodePushRequest(f *testing.F) {
	f.Add(PushRequest{RequestID: "r", PubsubTopic: "/waku/2/rs/16/32", HasPubsub: true, Message: []byte{0x12, 0x01, 0x61}, HasMessage: true}.Marshal())
	f.Add([]byte{0xa2, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodePushRequest(data)
		if err != nil {
			return
		}
		back, err := DecodePushRequest(r.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		if back.RequestID != r.RequestID || back.PubsubTopic != r.PubsubTopic || back.HasPubsub != r.HasPubsub ||
			!bytes.Equal(back.Message, r.Message) || back.HasMessage != r.HasMessage {
			t.Fatalf("round trip changed %+v into %+v", r, back)
		}
	})
}

func FuzzDecodePushRPC(f *testing.F) {
	f.Add(PushRPC{RequestID: "r", HasRequest: true, PubsubTopic: "/waku/2/rs/16/32", Message: []byte{0x12, 0x01, 0x61}, HasMessage: true}.Marshal())
	f.Add(PushRPC{RequestID: "r", HasResponse: true, IsSuccess: true, Info: "ok"}.Marshal())
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodePushRPC(data)
		if err != nil {
			return
		}
		back, err := DecodePushRPC(r.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		if back.RequestID != r.RequestID || back.PubsubTopic != r.PubsubTopic || !bytes.Equal(back.Message, r.Message) ||
			back.IsSuccess != r.IsSuccess || back.Info != r.Info || back.HasRequest != r.HasRequest || back.HasResponse != r.HasResponse {
			t.Fatalf("round trip changed %+v into %+v", r, back)
		}
	})
}

func FuzzDecodeMessagePush(f *testing.F) {
	f.Add(MessagePush{Message: []byte{0x0a, 0x01, 0x78, 0x12, 0x01, 0x61}, PubsubTopic: "/waku/2/rs/16/32"}.AppendMarshal(nil))
	f.Add([]byte{0x0a, 0x02, 0x5a, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, _, err := DecodeMessagePush(data)
		if err != nil {
			return
		}
		back, _, err := DecodeMessagePush(p.AppendMarshal(nil))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back.Message, p.Message) || back.PubsubTopic != p.PubsubTopic {
			t.Fatalf("round trip changed %+v into %+v", p, back)
		}
	})
}

func FuzzReadFrame(f *testing.F) {
	f.Add(AppendFrame(nil, []byte("hello")))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{0x05, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadFrame(bytes.NewReader(data), 1024)
		if err != nil {
			return
		}
		if len(b) > 1024 {
			t.Fatalf("frame of %d bytes over the limit", len(b))
		}
		// The length prefix may be a non-minimal varint (as protobuf's
		// varints may), so the input is not always our encoding; our
		// encoding of the frame must read back the same.
		back, err := ReadFrame(bytes.NewReader(AppendFrame(nil, b)), 1024)
		if err != nil || !bytes.Equal(back, b) {
			t.Fatalf("frame %x does not round-trip: %x, %v", b, back, err)
		}
	})
}

// FuzzDecodeResponses feeds the same bytes to the two response decoders,
// which share the status head (decodeStatusHead): each must round-trip
// what it accepts, and when both accept the bytes they must agree on the
// request id, status code and description.
func FuzzDecodeResponses(f *testing.F) {
	f.Add(SubscribeResponse{RequestID: "r1", StatusCode: StatusOK, StatusDesc: "OK"}.Marshal())
	f.Add(PushResponse{RequestID: "r2", StatusCode: StatusNoPeersToRelay, StatusDesc: "no peers", RelayPeerCount: 3, HasPeerCount: true}.Marshal())
	f.Add([]byte{0x5a, 0x02, 0xff, 0xfe})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, serr := DecodeSubscribeResponse(data)
		if serr == nil {
			if back, err := DecodeSubscribeResponse(s.Marshal()); err != nil || back != s {
				t.Fatalf("round trip changed %+v into %+v (%v)", s, back, err)
			}
		}
		p, perr := DecodePushResponse(data)
		if perr == nil {
			if back, err := DecodePushResponse(p.Marshal()); err != nil || back != p {
				t.Fatalf("round trip changed %+v into %+v (%v)", p, back, err)
			}
		}
		if serr == nil && perr == nil && (s.RequestID != p.RequestID || s.StatusCode != p.StatusCode || s.StatusDesc != p.StatusDesc) {
			t.Fatalf("the decoders disagree on the status head: %+v and %+v", s, p)
		}
	})
}
