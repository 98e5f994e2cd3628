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
