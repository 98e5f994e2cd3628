package main

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// TestProtectedShardEndToEnd runs three QA nodes on loopback TCP, driven
// only through their REST APIs. A holds the private key of protected shard
// 16/32, B only its public key, C knows nothing about the protection (it
// stands for a publisher without the key, or a relay that does not check).
// A's signed messages reach B and C; what C publishes unsigned, badly
// signed, or replayed from A's message with a changed version (new bytes,
// same signature) never reaches B's subscription, and B's counters say why.
func TestProtectedShardEndToEnd(t *testing.T) {
	a := startTestNode(t, "A", testConfig())
	b := startTestNode(t, "B", testConfig(a.addrInfo()))
	c := startTestNode(t, "C", testConfig(a.addrInfo(), b.addrInfo()))
	protectShard32(t, a, b)
	for _, n := range []*testNode{a, b, c} {
		var sub map[string][]uint16
		n.mustCall("POST", "/relay/subscribe", []any{32}, 200, &sub)
		if len(sub["subscribed"]) != 1 || sub["subscribed"][0] != 32 {
			t.Fatalf("%s subscribed to %v", n.name, sub)
		}
	}
	checkMeshesOfTwo(t, a, b, c)
	signed := publishSigned(t, a, b, c)
	publishAttacks(t, a, b, c, signed)

	// A keeps publishing; B gets only A's messages.
	a.mustCall("POST", "/relay/publish/32", map[string]any{"payload": b64("still here"), "contentTopic": "/qa/1/chat/proto"}, 200, nil)
	eventually(t, 5*time.Second, "B receives A's second message", func() bool { return len(messagesOf(b)) == 2 })
	for _, m := range messagesOf(b) {
		if p := string(m.Payload); p != "hello" && p != "still here" || m.Version != 0 {
			t.Fatalf("B delivered %+v", m)
		}
	}

	// The same figures in B's Prometheus metrics (nwaku's series). B's mesh
	// of 2 was checked before C's invalid messages: see checkMeshesOfTwo.
	metrics := b.mustCall("GET", "/metrics", nil, 200, nil)
	for _, want := range []string{
		`waku_msg_validator_signed_outcome{result="Accept"} 2`,
		`waku_msg_validator_signed_outcome{result="Reject"} 2`,
		`waku_msg_validator_signed_outcome{result="Ignore"} 1`,
		`wakupm_relay_messages_received_total{cluster="16",shard="32"} 2`,
		`wakupm_gossipsub_bytes_total{cluster="16",direction="in",shard="32",type="data"}`,
		`wakupm_slots_budget_connections{part="max"} 50`,
		`wakupm_relay_shard_peers{cluster="16",direction=`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("B's /metrics lacks %s", want)
		}
	}
}

// protectShard32 gives A a new private key for shard 32 and B its public
// key.
func protectShard32(t *testing.T, a, b *testNode) {
	var keys map[string]string
	a.mustCall("POST", "/admin/keygen", nil, 200, &keys)
	a.mustCall("POST", "/admin/protected-shards", map[string]any{"shard": 32, "privateKey": keys["privateKey"]}, 200, nil)
	var prot protectionJSON
	b.mustCall("POST", "/admin/protected-shards", map[string]any{"pubsubTopic": "/waku/2/rs/16/32", "publicKey": keys["publicKey"]}, 200, &prot)
	if prot.PublicKey != keys["publicKey"] || prot.CanSign || prot.Subscribed {
		t.Fatalf("B's protection: %+v", prot)
	}
}

// checkMeshesOfTwo waits until every node has the two others connected
// (the peer manager knows their shards from the metadata protocol) and in
// its mesh of shard 32, then checks A's and B's /health and B's mesh gauge.
//
// The gauge is read here, not with B's other metrics at the end: C's
// rejected messages give C a negative gossipsub score at A and B (P4,
// invalid message deliveries), and their next heartbeat (every second)
// prunes it from their meshes. Read at the end, the gauge showed 2 or 1
// depending on whether a heartbeat of B fell between C's first rejected
// message and the scrape.
func checkMeshesOfTwo(t *testing.T, a, b, c *testNode) {
	for _, n := range []*testNode{a, b, c} {
		eventually(t, 20*time.Second, n.name+": mesh of 2 on shard 32", func() bool {
			var h healthJSON
			n.mustCall("GET", "/health", nil, 200, &h)
			return len(h.Shards) == 1 && h.Shards[0].MeshPeers == 2 && h.Shards[0].ConnectedRelayPeers == 2
		})
	}
	var health healthJSON
	b.mustCall("GET", "/health", nil, 200, &health)
	s := health.Shards[0]
	if health.NodeHealth != "minimally_healthy" || s.Shard != 32 || s.PubsubTopic != "/waku/2/rs/16/32" ||
		s.Health != "minimally_healthy" || !s.Protected || s.CanSign || s.ConnectedRelayPeers != 2 {
		t.Fatalf("B's health: %+v", health)
	}
	a.mustCall("GET", "/health", nil, 200, &health)
	if !health.Shards[0].Protected || !health.Shards[0].CanSign {
		t.Fatalf("A's health: %+v", health)
	}
	const meshGauge = `wakupm_shard_mesh_peers{cluster="16",shard="32"} 2`
	eventually(t, 5*time.Second, "B's /metrics lacks "+meshGauge, func() bool {
		return strings.Contains(b.mustCall("GET", "/metrics", nil, 200, nil), meshGauge)
	})
}

// publishSigned has A publish on shard 32 (the node signs) and returns the
// message as B and C received it.
func publishSigned(t *testing.T, a, b, c *testNode) receivedJSON {
	var pub publishedJSON
	a.mustCall("POST", "/relay/publish/32", map[string]any{"payload": b64("hello"), "contentTopic": "/qa/1/chat/proto"}, 200, &pub)
	if !pub.Signed || pub.TopicPeers != 2 {
		t.Fatalf("publish: %+v", pub)
	}
	var signed receivedJSON
	for _, n := range []*testNode{b, c} {
		eventually(t, 5*time.Second, n.name+" receives A's message", func() bool {
			msgs := messagesOf(n)
			if len(msgs) == 1 {
				signed = msgs[0]
			}
			return len(msgs) == 1
		})
		if string(signed.Payload) != "hello" || signed.MessageHash != pub.MessageHash || len(signed.Meta) != 64 ||
			signed.From == "" || signed.From == n.node.selfID().String() {
			t.Fatalf("%s got %+v", n.name, signed)
		}
	}
	return signed
}

// publishAttacks has C publish what a relay without the protection lets
// through, and waits until A and B count each message under its reason.
func publishAttacks(t *testing.T, a, b, c *testNode, signed receivedJSON) {
	attacks := []struct {
		name, counter string
		msg           map[string]any
	}{
		{"unsigned", "rejected/bad_meta_length",
			map[string]any{"payload": b64("spam"), "contentTopic": "/qa/1/chat/proto"}},
		{"badly signed", "rejected/bad_signature",
			map[string]any{"payload": b64("spam"), "contentTopic": "/qa/1/chat/proto", "meta": b64(strings.Repeat("x", 64))}},
		{"replayed with another version", "ignored/replay",
			map[string]any{"payload": b64("hello"), "contentTopic": "/qa/1/chat/proto", "timestamp": signed.Timestamp,
				"meta": base64.StdEncoding.EncodeToString(signed.Meta), "version": 1}},
	}
	var pub publishedJSON
	for _, at := range attacks {
		c.mustCall("POST", "/relay/publish/32", at.msg, 200, &pub)
		for _, n := range []*testNode{a, b} {
			eventually(t, 5*time.Second, n.name+" counts the "+at.name+" message", func() bool {
				return protectionCount(n, at.counter) == 1
			})
		}
	}
	if got := len(messagesOf(c)); got != 1+len(attacks) {
		t.Fatalf("C, which does not check, delivered %d messages, want %d", got, 1+len(attacks))
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func messagesOf(n *testNode) []receivedJSON {
	var out messagesJSON
	n.mustCall("GET", "/relay/messages/32", nil, 200, &out)
	return out.Messages
}

// protectionCount reads "rejected/<reason>" or "ignored/<reason>" from the
// node's protected shard 32.
func protectionCount(n *testNode, counter string) uint64 {
	var list []protectionJSON
	n.mustCall("GET", "/admin/protected-shards", nil, 200, &list)
	if len(list) != 1 {
		n.t.Fatalf("%s: protected shards %+v", n.name, list)
	}
	kind, reason, _ := strings.Cut(counter, "/")
	if kind == "ignored" {
		return list[0].Ignored[reason]
	}
	return list[0].Rejected[reason]
}
