package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestSubscribeRequestRoundTrip(t *testing.T) {
	in := SubscribeRequest{RequestID: "abc", Type: Subscribe, PubsubTopic: "/waku/2/rs/16/32", HasPubsub: true,
		ContentTopics: []string{"/a/1/b/proto", "/a/1/c/proto"}}
	out, err := DecodeSubscribeRequest(in.Marshal())
	if err != nil || out.RequestID != in.RequestID || out.Type != in.Type || out.PubsubTopic != in.PubsubTopic ||
		len(out.ContentTopics) != 2 || out.ContentTopics[1] != "/a/1/c/proto" {
		t.Fatalf("got %+v, %v", out, err)
	}
}

// A hand-encoded FilterSubscribeRequest, byte for byte as filter.proto
// lays it out: request_id (1) "x", type (2) SUBSCRIBE, pubsub_topic (10),
// content_topics (11).
func TestSubscribeRequestFieldNumbers(t *testing.T) {
	data := []byte{0x0a, 0x01, 'x', 0x10, 0x01, 0x52, 0x01, 'p', 0x5a, 0x01, 'c'}
	r, err := DecodeSubscribeRequest(data)
	if err != nil || r.RequestID != "x" || r.Type != Subscribe || r.PubsubTopic != "p" || r.ContentTopics[0] != "c" {
		t.Fatalf("got %+v, %v", r, err)
	}
	if !bytes.Equal(r.Marshal(), data) {
		t.Fatalf("re-encoded %x, want %x", r.Marshal(), data)
	}
}

// LightpushRequest: request_id (1), pubsub_topic (20: tag 0xa2 0x01),
// message (21: tag 0xaa 0x01).
func TestPushRequestFieldNumbers(t *testing.T) {
	data := []byte{0x0a, 0x01, 'x', 0xa2, 0x01, 0x01, 'p', 0xaa, 0x01, 0x01, 0x00}
	r, err := DecodePushRequest(data)
	if err != nil || r.RequestID != "x" || r.PubsubTopic != "p" || !r.HasMessage || len(r.Message) != 1 {
		t.Fatalf("got %+v, %v", r, err)
	}
	resp := PushResponse{RequestID: "x", StatusCode: 505, StatusDesc: "no peers", RelayPeerCount: 0, HasPeerCount: true}
	back, err := DecodePushResponse(resp.Marshal())
	if err != nil || back != resp {
		t.Fatalf("response round trip: %+v, %v", back, err)
	}
}

func TestPushRPCRoundTrip(t *testing.T) {
	in := PushRPC{RequestID: "r", HasRequest: true, PubsubTopic: "/waku/2/rs/16/32", Message: []byte{0x12, 0x01, 'a'}, HasMessage: true}
	out, err := DecodePushRPC(in.Marshal())
	if err != nil || out.PubsubTopic != in.PubsubTopic || !bytes.Equal(out.Message, in.Message) || !out.HasRequest {
		t.Fatalf("got %+v, %v", out, err)
	}
}

func TestDecodeRefusesNonUTF8AndBrokenFraming(t *testing.T) {
	for name, data := range map[string][]byte{
		"non-UTF-8 request id": {0x0a, 0x02, 0xff, 0xfe},
		"truncated string":     {0x0a, 0x05, 'a'},
		"bad tag":              {0x00},
	} {
		if _, err := DecodeSubscribeRequest(data); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err %v, want ErrMalformed", name, err)
		}
	}
}

func TestReadFrame(t *testing.T) {
	b, err := ReadFrame(bytes.NewReader(AppendFrame(nil, []byte("hi"))), 10)
	if err != nil || string(b) != "hi" {
		t.Fatalf("%q %v", b, err)
	}
	if _, err := ReadFrame(bytes.NewReader(AppendFrame(nil, make([]byte, 11))), 10); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
	if _, err := ReadFrame(bytes.NewReader(nil), 10); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("empty: %v", err)
	}
}
