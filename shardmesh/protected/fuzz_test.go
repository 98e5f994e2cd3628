package protected

import (
	"bytes"
	"testing"
	"time"
)

// FuzzUnmarshal feeds arbitrary bytes to the WakuMessage decoder: it must not
// panic, and whatever it accepts must survive a re-encoding unchanged.
func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte{})
	f.Add(Message{Payload: []byte("hello"), ContentTopic: "/app/1/chat/proto", Timestamp: 1, Ephemeral: true}.Marshal())
	f.Add(Message{Meta: bytes.Repeat([]byte{1}, 64), Timestamp: -1, Version: 3}.Marshal())
	f.Add([]byte{0x0a, 0x05, 0x01})
	f.Add([]byte{0xaa, 0x01, 0x02, 0x00, 0x00, 0xf8, 0x01, 0x02})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Unmarshal(data)
		if err != nil {
			return
		}
		if len(m.Meta) > MaxMetaLength {
			t.Fatalf("meta of %d bytes accepted", len(m.Meta))
		}
		enc := m.Marshal()
		back, err := Unmarshal(enc)
		if err != nil {
			t.Fatalf("re-decoding our own encoding %x: %v", enc, err)
		}
		if !equalMessages(back, m) {
			t.Fatalf("round trip changed %+v into %+v", m, back)
		}
		if !bytes.Equal(back.Marshal(), enc) {
			t.Fatal("encoding is not stable")
		}
	})
}

// FuzzValidate runs arbitrary data through a validator: it must not panic,
// must give a consistent verdict, and must accept only messages whose meta
// is the key's own (deterministic) signature of their signing hash.
func FuzzValidate(f *testing.F) {
	priv, err := ParsePrivateKey(specPrivateKey)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(0, specTimestamp)
	signer, _ := NewSigner(specTopic, priv)
	signed := Message{Payload: []byte("x"), ContentTopic: "/a/1/b/c", Timestamp: specTimestamp}
	if err := signer.Sign(&signed, now); err != nil {
		f.Fatal(err)
	}
	f.Add(signed.Marshal())
	f.Add(Message{Timestamp: specTimestamp, Meta: make([]byte, 64)}.Marshal())
	f.Add([]byte{0x50, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, _ := NewValidator(specTopic, priv.Public())
		vd := v.Validate(data, now)
		if vd.Reason.Result() != vd.Result {
			t.Fatalf("verdict %+v: reason and result disagree", vd)
		}
		if vd.Result != Accept {
			return
		}
		m, err := Unmarshal(data)
		if err != nil {
			t.Fatalf("accepted undecodable data: %v", err)
		}
		sig, err := priv.Sign(SigningHash(specTopic, &m))
		if err != nil || !bytes.Equal(sig, m.Meta) || vd.Hash != SigningHash(specTopic, &m) {
			t.Fatalf("accepted a message the key did not sign: %+v", m)
		}
	})
}
