package protected

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func TestMarshalRoundTrip(t *testing.T) {
	tests := []Message{
		{},
		{Payload: []byte("hi"), ContentTopic: "/app/1/chat/proto"},
		{Payload: []byte{0}, ContentTopic: "/a/1/b/c", Version: 1, Timestamp: -5, Meta: bytes.Repeat([]byte{7}, 64), Ephemeral: true},
		{Timestamp: 1 << 62, Version: 1<<32 - 1},
	}
	for _, m := range tests {
		got, err := Unmarshal(m.Marshal())
		if err != nil {
			t.Fatalf("%+v: %v", m, err)
		}
		if !equalMessages(got, m) {
			t.Fatalf("round trip changed %+v into %+v", m, got)
		}
	}
}

func equalMessages(a, b Message) bool {
	return bytes.Equal(a.Payload, b.Payload) && a.ContentTopic == b.ContentTopic && a.Version == b.Version &&
		a.Timestamp == b.Timestamp && bytes.Equal(a.Meta, b.Meta) && a.Ephemeral == b.Ephemeral
}

// Field numbers checked against the encoding of a hand-built message, tag by
// tag, so that a wrong number cannot hide behind a symmetric round trip.
func TestMarshalFieldNumbers(t *testing.T) {
	m := Message{Payload: []byte{1}, ContentTopic: "c", Version: 2, Timestamp: -1, Meta: []byte{3}, Ephemeral: true}
	want := []byte{
		0x0a, 1, 1, // 1: payload
		0x12, 1, 'c', // 2: content_topic
		0x18, 2, // 3: version
		0x50, 1, // 10: timestamp, zigzag(-1) = 1
		0x5a, 1, 3, // 11: meta
		0xf8, 0x01, 1, // 31: ephemeral
	}
	if got := m.Marshal(); !bytes.Equal(got, want) {
		t.Fatalf("encoding %x, want %x", got, want)
	}
}

func TestUnmarshalProto3Semantics(t *testing.T) {
	var b []byte
	b = protowire.AppendTag(b, fieldContentTopic, protowire.BytesType)
	b = protowire.AppendString(b, "first")
	b = protowire.AppendTag(b, 21, protowire.BytesType) // rate_limit_proof: skipped
	b = protowire.AppendBytes(b, []byte("proof"))
	b = protowire.AppendTag(b, fieldVersion, protowire.BytesType) // wrong wire type: unknown
	b = protowire.AppendBytes(b, []byte{1})
	b = protowire.AppendTag(b, fieldVersion, protowire.VarintType) // wider than 32 bits: truncated
	b = protowire.AppendVarint(b, 1<<32+9)
	b = protowire.AppendTag(b, fieldContentTopic, protowire.BytesType) // last one wins
	b = protowire.AppendString(b, "second")
	b = protowire.AppendTag(b, 99, protowire.StartGroupType) // a group, skipped whole
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, 5)
	b = protowire.AppendTag(b, 99, protowire.EndGroupType)
	m, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	want := Message{ContentTopic: "second", Version: 9}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("got %+v, want %+v", m, want)
	}
}

func TestUnmarshalRefuses(t *testing.T) {
	longMeta := protowire.AppendBytes(protowire.AppendTag(nil, fieldMeta, protowire.BytesType), make([]byte, 65))
	badUTF8 := protowire.AppendBytes(protowire.AppendTag(nil, fieldContentTopic, protowire.BytesType), []byte{0xff, 0xfe})
	tests := map[string]struct {
		data  []byte
		field string
	}{
		"truncated payload":      {[]byte{0x0a, 5, 1}, "payload"},
		"truncated varint":       {[]byte{0x18, 0x80}, "version"},
		"meta over 64 bytes":     {longMeta, "meta"},
		"content topic not UTF8": {badUTF8, "content_topic"},
		"field number 0":         {[]byte{0x00, 0x00}, ""},
		"lone end group":         {[]byte{0x0c}, ""},
		"truncated unknown":      {[]byte{0x22, 3}, ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Unmarshal(tt.data)
			var de *DecodeError
			if !errors.As(err, &de) || !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v, want a *DecodeError wrapping ErrMalformed", err)
			}
			if de.Field != tt.field {
				t.Fatalf("field %q, want %q (%v)", de.Field, tt.field, err)
			}
		})
	}
}
