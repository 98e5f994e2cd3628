package peerid_test

import (
	"crypto/rand"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peerid"
)

// The text form must be the one go-libp2p prints, for every key type a Waku
// node uses (secp256k1 for nwaku/go-waku, ed25519 for js-waku).
func TestStringMatchesLibp2p(t *testing.T) {
	for _, typ := range []int{crypto.Secp256k1, crypto.Ed25519, crypto.ECDSA} {
		for range 20 {
			_, pub, err := crypto.GenerateKeyPairWithReader(typ, 256, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			p, err := peer.IDFromPublicKey(pub)
			if err != nil {
				t.Fatal(err)
			}
			id := peerid.ID(p)
			if got, want := id.String(), p.String(); got != want {
				t.Fatalf("key type %d: String() = %q, libp2p prints %q", typ, got, want)
			}
			if peer.ID(id) != p {
				t.Fatal("conversion back to peer.ID changed the id")
			}
		}
	}
}

func TestStringLeadingZerosAndEmpty(t *testing.T) {
	cases := map[string]string{
		"":             "",
		"\x00":         "1",
		"\x00\x00\x01": "112",
		"\xff":         "5Q",
	}
	for in, want := range cases {
		if got := peerid.ID(in).String(); got != want {
			t.Errorf("ID(%q).String() = %q, want %q", in, got, want)
		}
	}
}
