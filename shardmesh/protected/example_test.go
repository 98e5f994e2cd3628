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
