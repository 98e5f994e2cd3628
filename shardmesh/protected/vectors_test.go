package protected

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The test vector of STATUS-SIMPLE-SCALING, "DoS Protection" / "Test
// vectors" (vacp2p/rfc-index docs/archived/status/raw/simple-scaling.md):
// relays configured with the public key must accept this message.
const (
	specPrivateKey = "5526a8990317c9b7b58d07843d270f9cd1d9aaee129294c1c478abf7261dd9e6"
	specPublicKey  = "049c5fac802da41e07e6cdf51c3b9a6351ad5e65921527f2df5b7d59fd9b56ab02bab736cdcfc37f25095e78127500da371947217a8cd5186ab890ea866211c3f6"
	specTopic      = "pubsub-topic"
	specContent    = "content-topic"
	specPayload    = "1A12E077D0E89F9CAC11FBBB6A676C86120B5AD3E248B1F180E98F15EE43D2DFCF62F00C92737B2FF6F59B3ABA02773314B991C41DC19ADB0AD8C17C8E26757B"
	specTimestamp  = 1683208172339052800
	specHash       = "662F8C20A335F170BD60ABC1F02AD66F0C6A6EE285DA2A53C95259E7937C0AE9"
	specMeta       = "127FA211B2514F0E974A055392946DC1A14052182A6ABEFB8A6CD7C51DA1BF2E40595D28EF1A9488797C297EED3AAC45430005FB3A7F037BDD9FC4BD99F59E63"
)

func specMessage(t testing.TB) Message {
	return Message{
		Payload:      mustHex(t, specPayload),
		ContentTopic: specContent,
		Timestamp:    specTimestamp,
		Ephemeral:    true,
	}
}

func TestSimpleScalingVector(t *testing.T) {
	priv, err := ParsePrivateKey(specPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(specPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if priv.Public() != pub {
		t.Fatalf("public key of the spec's private key is %s, spec says %s", priv.Public().Hex(), pub.Hex())
	}
	m := specMessage(t)
	if got := SigningHash(specTopic, &m); !bytes.Equal(got[:], mustHex(t, specHash)) {
		t.Fatalf("signing hash %s, spec %s", got, specHash)
	}
	signer, err := NewSigner(specTopic, priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.Sign(&m, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Meta, mustHex(t, specMeta)) {
		t.Fatalf("signature %x, spec %s (RFC 6979 signing is deterministic)", m.Meta, specMeta)
	}
	v, err := NewValidator(specTopic, pub)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(0, specTimestamp).Add(3 * time.Minute)
	if vd := v.Validate(m.Marshal(), now); vd.Result != Accept || vd.Reason != ReasonValid {
		t.Fatalf("spec message: %+v, want accepted", vd)
	}
}

// The deterministic message hash vectors of 14/WAKU2-MESSAGE (vacp2p/rfc-index
// waku/standards/core/14/message.md, "Test vectors").
func TestMessageHashVectors(t *testing.T) {
	const (
		topic   = "/waku/2/default-waku/proto"
		content = "/waku/2/default-content/proto"
		payload = "010203045445535405060708"
		ts      = 0x175789bfa23f8400
	)
	tests := []struct {
		name, payload, meta, want string
	}{
		{"meta 12 bytes", payload, "73757065722d736563726574",
			"64cce733fed134e83da02b02c6f689814872b1a0ac97ea56b76095c3c72bfe05"},
		{"meta 64 bytes", payload,
			"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
			"7158b6498753313368b9af8f6e0a0a05104f68f972981da42a43bc53fb0c1b27"},
		{"no meta", payload, "",
			"a2554498b31f5bcdfcbf7fa58ad1c2d45f0254f3f8110a85588ec3cf10720fd8"},
		{"empty payload", "", "73757065722d736563726574",
			"483ea950cb63f9b9d6926b262bb36194d3f40a0463ce8446228350bd44e96de4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Message{Payload: mustHex(t, tt.payload), ContentTopic: content, Meta: mustHex(t, tt.meta), Timestamp: ts}
			if got := MessageHash(topic, &m); got.String() != "0x"+tt.want {
				t.Fatalf("hash %s, spec 0x%s", got, tt.want)
			}
		})
	}
}
