package protected_test

import (
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/wakupm/wakupm/rfc/conformance/vectors"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// TestMessageHashVectors computes the 14/WAKU2-MESSAGE deterministic hash of
// every message-hash vector (rfc/conformance/vectors/message-hash: the
// specification's test vectors, and the absent-timestamp case on which
// js-waku differs from nwaku and go-waku).
func TestMessageHashVectors(t *testing.T) {
	files, err := vectors.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range vectors.Cases(files) {
		if c.Kind != vectors.KindMessageHash {
			continue
		}
		n++
		var in struct {
			PubsubTopic string `json:"pubsub_topic"`
			MessageHex  string `json:"message_hex"`
		}
		var want vectors.HashValue
		if err := json.Unmarshal(c.Input, &in); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(c.Expect.Value, &want); err != nil {
			t.Fatal(err)
		}
		b, err := hex.DecodeString(in.MessageHex)
		if err != nil {
			t.Fatal(err)
		}
		m, err := protected.Unmarshal(b)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		if got := protected.MessageHash(in.PubsubTopic, &m); got.String() != "0x"+want.Hash {
			t.Errorf("%s: hash %s, want 0x%s (%s)", c.ID, got, want.Hash, c.Source)
		}
	}
	if n < 5 {
		t.Fatalf("%d message-hash vectors, want the specification's 4 and more", n)
	}
}
