package main

import (
	"strings"
	"testing"
	"time"
)

// TestRESTValidation checks, on one node with no peer, that every endpoint
// refuses bad input with a status and an error that says what to fix.
func TestRESTValidation(t *testing.T) {
	n := startTestNode(t, "solo", testConfig())
	n.mustCall("POST", "/relay/subscribe", `[32, "/waku/2/rs/16/33"]`, 200, nil)
	for _, tt := range restValidationCases() {
		status, raw := n.call(tt.method, tt.path, tt.body, nil)
		if status != tt.status || !strings.Contains(raw, tt.errorHas) || !strings.Contains(raw, `"error"`) {
			t.Errorf("%s %s %.60v: status %d %s; want %d with %q", tt.method, tt.path, tt.body, status, raw, tt.status, tt.errorHas)
		}
	}
	checkProtectedPublishing(t, n)
	n.mustCall("DELETE", "/admin/protected-shards/32", nil, 200, nil)
	var sub map[string][]uint16
	n.mustCall("DELETE", "/relay/subscribe", `[32]`, 200, &sub)
	if len(sub["subscribed"]) != 1 || sub["subscribed"][0] != 33 {
		t.Fatalf("after unsubscribing 32: %v", sub)
	}
}

// A key pair of TestRESTValidation.
const (
	restPrivateKey = "0x5526a8990317c9b7b58d07843d270f9cd1d9aaee129294c1c478abf7261dd9e6"
	restPublicKey  = "0x049c5fac802da41e07e6cdf51c3b9a6351ad5e65921527f2df5b7d59fd9b56ab02bab736cdcfc37f25095e78127500da371947217a8cd5186ab890ea866211c3f6"
)

// restValidationCase is a request the node must refuse with status and an
// error containing errorHas.
type restValidationCase struct {
	method, path string
	body         any
	status       int
	errorHas     string
}

// restValidationCases are the bad requests of TestRESTValidation, for a
// node subscribed to shards 32 and 33 of cluster 16.
func restValidationCases() []restValidationCase {
	return []restValidationCase{
		{"POST", "/relay/subscribe", ``, 400, "empty body"},
		{"POST", "/relay/subscribe", `[]`, 400, "no shard"},
		{"POST", "/relay/subscribe", `{"shards":[1]}`, 400, "invalid JSON body"},
		{"POST", "/relay/subscribe", `[1024]`, 400, "0..1023"},
		{"POST", "/relay/subscribe", `[-1]`, 400, "shard"},
		{"POST", "/relay/subscribe", `[true]`, 400, "want a number or a pubsub topic"},
		{"POST", "/relay/subscribe", `["/waku/2/rs/1/3"]`, 400, "cluster 1; this node is on cluster 16"},
		{"POST", "/relay/subscribe", `["/waku/2/default-waku/proto"]`, 400, "named sharding"},
		{"POST", "/relay/subscribe", `[1] [2]`, 400, "data after the first value"},
		{"DELETE", "/relay/subscribe", `["x"]`, 400, "not a static-sharding topic"},

		{"POST", "/relay/publish/32", `{"contentTopic":"/qa/1/chat/proto"}`, 400, "payload is missing"},
		{"POST", "/relay/publish/32", `{"payload":"%%","contentTopic":"/qa/1/chat/proto"}`, 400, "payload: want standard base64"},
		{"POST", "/relay/publish/32", `{"payload":""}`, 400, "contentTopic is missing"},
		{"POST", "/relay/publish/32", `{"payload":"","contentTopic":"chat"}`, 400, "contentTopic"},
		{"POST", "/relay/publish/32", `{"payload":"","contentTopic":"/qa/1/chat/proto","timestamp":-1}`, 400, "timestamp -1"},
		{"POST", "/relay/publish/32", `{"payload":"","contentTopic":"/qa/1/chat/proto","meta":"` + b64(strings.Repeat("m", 65)) + `"}`, 400, "at most 64"},
		{"POST", "/relay/publish/32", `{"payload":"","contentTopic":"/qa/1/chat/proto","extra":1}`, 400, "unknown field"},
		{"POST", "/relay/publish/32", `{"payload":"` + b64(strings.Repeat("p", 1<<20)) + `","contentTopic":"/qa/1/chat/proto"}`, 413, "at most"},
		{"POST", "/relay/publish/7", `{"payload":"","contentTopic":"/qa/1/chat/proto"}`, 404, "not subscribed"},
		{"POST", "/relay/publish/abc", `{"payload":"","contentTopic":"/qa/1/chat/proto"}`, 400, "static-sharding"},
		{"GET", "/relay/messages/7", nil, 404, "not subscribed"},
		{"GET", "/relay/messages/32?since=x", nil, 400, "since"},
		{"GET", "/relay/messages/32?limit=-1", nil, 400, "limit"},

		{"POST", "/admin/protected-shards", `{"publicKey":"` + restPublicKey + `"}`, 400, "shard is missing"},
		{"POST", "/admin/protected-shards", `{"shard":32}`, 400, "no key"},
		{"POST", "/admin/protected-shards", `{"shard":32,"pubsubTopic":"/waku/2/rs/16/32","publicKey":"` + restPublicKey + `"}`, 400, "not both"},
		{"POST", "/admin/protected-shards", `{"shard":32,"publicKey":"0x1234"}`, 400, "public key has 2 bytes"},
		{"POST", "/admin/protected-shards", `{"shard":32,"publicKey":"0x04` + strings.Repeat("1", 128) + `"}`, 400, "not a point"},
		{"POST", "/admin/protected-shards", `{"shard":32,"privateKey":"nothex"}`, 400, "private key is not hex"},
		{"POST", "/admin/protected-shards", `{"shard":32,"publicKey":"` + restPublicKey + `","privateKey":"0x` + strings.Repeat("2", 64) + `"}`, 400, "does not match"},
		{"POST", "/admin/protected-shards", `{"shard":32,"publicKey":"` + restPublicKey + `","keepPreviousKeyFor":600}`, 400, `keepPreviousKeyFor 600: want a duration string such as \"10m\"`},
		{"POST", "/admin/protected-shards", `{"shard":32,"publicKey":"` + restPublicKey + `","keepPreviousKeyFor":"10 min"}`, 400, `keepPreviousKeyFor \"10 min\": want a duration`},
		{"POST", "/admin/protected-shards", `{"shard":32,"publicKey":"` + restPublicKey + `","keepPreviousKeyFor":"-1m"}`, 400, "keepPreviousKeyFor -1m0s: want 0 (replace the key at once) to 24h0m0s"},
		{"POST", "/admin/protected-shards", `{"shard":32,"publicKey":"` + restPublicKey + `","keepPreviousKeyFor":"25h"}`, 400, "to 24h0m0s"},
		{"POST", "/admin/protected-shards", `{"shard":32,"publicKey":"` + restPublicKey + `","keepPreviousKeyFor":"10m"}`, 400, "not protected yet: there is no previous key to keep"},
		{"DELETE", "/admin/protected-shards/32", nil, 404, "not protected"},
	}
}

// checkProtectedPublishing: on a protected shard, a message the node cannot
// sign is refused with the reason, then signed once it has the key; a
// replay of it is a conflict.
func checkProtectedPublishing(t *testing.T, n *testNode) {
	n.mustCall("POST", "/admin/protected-shards", map[string]any{"shard": "32", "publicKey": restPublicKey}, 200, nil)
	_, raw := n.call("POST", "/relay/publish/32", map[string]any{"payload": b64("x"), "contentTopic": "/qa/1/chat/proto"}, nil)
	if !strings.Contains(raw, "give the node the shard's private key") {
		t.Fatalf("unsigned publish on a protected shard: %s", raw)
	}
	var prot protectionJSON
	n.mustCall("POST", "/admin/protected-shards", map[string]any{"shard": 32, "privateKey": restPrivateKey}, 200, &prot)
	if !prot.CanSign || prot.PublicKey != restPublicKey || !prot.Subscribed {
		t.Fatalf("protection: %+v", prot)
	}
	var pubd publishedJSON
	msg := map[string]any{"payload": b64("x"), "contentTopic": "/qa/1/chat/proto", "timestamp": 0}
	n.mustCall("POST", "/relay/publish/32", msg, 200, &pubd)
	msg["timestamp"] = pubd.Timestamp
	n.mustCall("POST", "/relay/publish/32", msg, 409, nil)
	// The node's own message reaches its buffer through gossipsub's
	// delivery, after the publish call returns: wait for it (bounded).
	var msgs messagesJSON
	eventually(t, 5*time.Second, "own message buffered", func() bool {
		n.mustCall("GET", "/relay/messages/%2Fwaku%2F2%2Frs%2F16%2F32?limit=5", nil, 200, &msgs)
		return len(msgs.Messages) > 0
	})
	if len(msgs.Messages) != 1 || msgs.Messages[0].MessageHash != pubd.MessageHash || msgs.Messages[0].From != n.node.selfID().String() {
		t.Fatalf("own message not buffered: %+v", msgs)
	}
}

// TestNwakuCompatibleEndpoints drives the node with nwaku's REST paths: a
// publish to a URL-escaped pubsub topic and reads that return each message
// once.
func TestNwakuCompatibleEndpoints(t *testing.T) {
	n := startTestNode(t, "v1", testConfig())
	topic := "%2Fwaku%2F2%2Frs%2F16%2F40"
	n.mustCall("POST", "/relay/v1/subscriptions", `["/waku/2/rs/16/40"]`, 200, nil)
	for _, p := range []string{"one", "two"} {
		n.mustCall("POST", "/relay/v1/messages/"+topic, map[string]any{"payload": b64(p), "contentTopic": "/qa/1/chat/proto"}, 200, nil)
	}
	var got []receivedJSON
	eventually(t, 5*time.Second, "own messages delivered", func() bool {
		var msgs messagesJSON
		n.mustCall("GET", "/relay/messages/40", nil, 200, &msgs)
		return len(msgs.Messages) == 2
	})
	n.mustCall("GET", "/relay/v1/messages/"+topic, nil, 200, &got)
	if len(got) != 2 || string(got[0].Payload) != "one" || string(got[1].Payload) != "two" {
		t.Fatalf("first read: %+v", got)
	}
	n.mustCall("GET", "/relay/v1/messages/"+topic, nil, 200, &got)
	if len(got) != 0 {
		t.Fatalf("second read returned %d messages again", len(got))
	}
	var info infoJSON
	n.mustCall("GET", "/debug/v1/info", nil, 200, &info)
	if info.PeerID != n.node.selfID().String() || len(info.ListenAddresses) == 0 ||
		!strings.HasSuffix(info.ListenAddresses[0], "/p2p/"+info.PeerID) || len(info.Shards) != 1 || info.Shards[0] != 40 {
		t.Fatalf("info: %+v", info)
	}
	n.mustCall("DELETE", "/relay/v1/subscriptions", `["/waku/2/rs/16/40"]`, 200, nil)
	n.mustCall("GET", "/relay/v1/messages/"+topic, nil, 404, nil)
}
