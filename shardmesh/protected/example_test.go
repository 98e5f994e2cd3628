package protected_test

import (
	"fmt"
	"time"

	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// A community owner protects shard 16/32: publishers sign with the shared
// private key, relays validate with the public key.
func ExampleValidator() {
	// The key pair of the STATUS-SIMPLE-SCALING test vector.
	priv, _ := protected.ParsePrivateKey("5526a8990317c9b7b58d07843d270f9cd1d9aaee129294c1c478abf7261dd9e6")
	topic := shardmesh.Shard{Cluster: 16, Index: 32}.PubsubTopic()
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

	signer, _ := protected.NewSigner(topic, priv)
	msg := protected.Message{Payload: []byte("hello"), ContentTopic: "/qa/1/chat/proto"}
	_ = signer.Sign(&msg, now) // sets the timestamp to now and meta to the signature
	data := msg.Marshal()

	relay, _ := protected.NewValidator(topic, priv.Public())
	show := func(what string, data []byte, at time.Time) {
		vd := relay.Validate(data, at)
		fmt.Printf("%-26s %s (%s)\n", what, vd.Result, vd.Reason)
	}
	show("signed:", data, now)
	unsigned := protected.Message{Payload: []byte("spam"), ContentTopic: "/qa/1/chat/proto", Timestamp: now.UnixNano()}
	show("unsigned:", unsigned.Marshal(), now)
	show("replayed 3 min later:", data, now.Add(3*time.Minute))
	show("replayed 6 min later:", data, now.Add(6*time.Minute))
	fmt.Println("meta bytes:", len(msg.Meta))
	// Output:
	// signed:                    accept (valid)
	// unsigned:                  reject (bad_meta_length)
	// replayed 3 min later:      ignore (replay)
	// replayed 6 min later:      reject (outside_window)
	// meta bytes: 64
}

// The shard key leaked: the relays rotate to a new key and keep the old one
// for 10 minutes, while the owner's nodes switch to the new private key.
func ExampleValidator_Rotate() {
	oldKey, _ := protected.ParsePrivateKey("5526a8990317c9b7b58d07843d270f9cd1d9aaee129294c1c478abf7261dd9e6")
	newKey, _ := protected.ParsePrivateKey("0f3a2c6e5b4d7a8c9e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f")
	topic := shardmesh.Shard{Cluster: 16, Index: 200}.PubsubTopic()
	start := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

	relay, _ := protected.NewValidator(topic, oldKey.Public())
	_ = relay.Rotate(newKey.Public(), 10*time.Minute, start)

	show := func(what string, key protected.PrivateKey, at time.Time) {
		signer, _ := protected.NewSigner(topic, key)
		msg := protected.Message{Payload: []byte(what), ContentTopic: "/mycommunity/1/chat/proto"}
		_ = signer.Sign(&msg, at)
		vd := relay.Validate(msg.Marshal(), at)
		fmt.Printf("%-24s %s (%s)\n", what, vd.Result, vd.Reason)
	}
	show("new key:", newKey, start.Add(time.Minute))
	show("old key, 1 min after:", oldKey, start.Add(time.Minute))
	keys := relay.Keys(start.Add(time.Minute))
	fmt.Println("old key accepted until:", keys.Until.Format(time.TimeOnly))
	show("old key, 10 min after:", oldKey, start.Add(10*time.Minute))
	st := relay.Stats()
	fmt.Println("accepted:", st.Count(protected.Accept), "of which under the old key:", st.ByReason[protected.ReasonValidPreviousKey])
	// Output:
	// new key:                 accept (valid)
	// old key, 1 min after:    accept (valid_previous_key)
	// old key accepted until: 12:10:00
	// old key, 10 min after:   reject (bad_signature)
	// accepted: 2 of which under the old key: 1
}
