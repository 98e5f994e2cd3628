package main

import (
	"io"
	"slices"
	"testing"
	"time"

	"github.com/wakupm/wakupm/shardmesh/protected"
)

// TestProtectedKeyRotation runs a key rotation between two nodes on
// loopback TCP, through their REST APIs: the owner A signs, the relay B
// holds the public key. B rotates first keeping the old key for an hour,
// A's message under the old key is still delivered (and counted apart),
// then A switches and its new messages are delivered; a rotation without
// keepPreviousKeyFor refuses the key it replaces at once.
func TestProtectedKeyRotation(t *testing.T) {
	a := startTestNode(t, "A", testConfig())
	b := startTestNode(t, "B", testConfig(a.addrInfo()))
	var key1, key2, key3 map[string]string
	for _, k := range []*map[string]string{&key1, &key2, &key3} {
		a.mustCall("POST", "/admin/keygen", nil, 200, k)
	}
	a.mustCall("POST", "/admin/protected-shards", map[string]any{"shard": 32, "privateKey": key1["privateKey"]}, 200, nil)
	b.mustCall("POST", "/admin/protected-shards", map[string]any{"shard": 32, "publicKey": key1["publicKey"]}, 200, nil)
	for _, n := range []*testNode{a, b} {
		n.mustCall("POST", "/relay/subscribe", []any{32}, 200, nil)
	}
	for _, n := range []*testNode{a, b} {
		eventually(t, 20*time.Second, n.name+": mesh of 1 on shard 32", func() bool {
			var h healthJSON
			n.mustCall("GET", "/health", nil, 200, &h)
			return len(h.Shards) == 1 && h.Shards[0].MeshPeers == 1
		})
	}

	// B (the relay) switches first and keeps key 1 for an hour.
	before := time.Now()
	var prot protectionJSON
	b.mustCall("POST", "/admin/protected-shards", map[string]any{"shard": 32, "publicKey": key2["publicKey"], "keepPreviousKeyFor": "1h"}, 200, &prot)
	until, err := time.Parse(time.RFC3339, prot.PreviousKeyUntil)
	if err != nil || prot.PublicKey != key2["publicKey"] || prot.PreviousPublicKey != key1["publicKey"] ||
		until.Before(before.Add(time.Hour).Add(-time.Millisecond)) || until.After(time.Now().Add(time.Hour)) {
		t.Fatalf("B after rotating with a window: %+v (%v)", prot, err)
	}
	publishAndWait(t, a, b, "old key")
	if got := bProtection(b); got.Accepted != 1 || got.AcceptedPreviousKey != 1 || got.PreviousPublicKey != key1["publicKey"] {
		t.Fatalf("B counted %+v, want 1 accepted, under the previous key", got)
	}

	// A (the owner) switches; the same POST again changes nothing.
	for range 2 {
		a.mustCall("POST", "/admin/protected-shards", map[string]any{"shard": 32, "privateKey": key2["privateKey"], "keepPreviousKeyFor": "1h"}, 200, &prot)
	}
	if !prot.CanSign || prot.PublicKey != key2["publicKey"] || prot.PreviousPublicKey != key1["publicKey"] {
		t.Fatalf("A after switching: %+v", prot)
	}
	publishAndWait(t, a, b, "new key")
	if got := bProtection(b); got.Accepted != 2 || got.AcceptedPreviousKey != 1 {
		t.Fatalf("B counted %+v, want 2 accepted, 1 under the previous key", got)
	}

	// B rotates to key 3 without a window: key 2 (and key 1) are refused
	// at once, and the sender is rejected.
	prot = protectionJSON{}
	b.mustCall("POST", "/admin/protected-shards", map[string]any{"shard": 32, "publicKey": key3["publicKey"]}, 200, &prot)
	if prot.PreviousPublicKey != "" || prot.PreviousKeyUntil != "" {
		t.Fatalf("B after rotating without a window still shows a previous key: %+v", prot)
	}
	a.mustCall("POST", "/relay/publish/32", map[string]any{"payload": b64("refused"), "contentTopic": "/qa/1/chat/proto"}, 200, nil)
	eventually(t, 5*time.Second, "B rejects the message under key 2", func() bool {
		return bProtection(b).Rejected["bad_signature"] == 1
	})
	if payloads := payloadsOf(b); !slices.Equal(payloads, []string{"old key", "new key"}) {
		t.Fatalf("B delivered %q", payloads)
	}
}

// publishAndWait has a publish payload on shard 32 and waits until b has
// it.
func publishAndWait(t *testing.T, a, b *testNode, payload string) {
	t.Helper()
	a.mustCall("POST", "/relay/publish/32", map[string]any{"payload": b64(payload), "contentTopic": "/qa/1/chat/proto"}, 200, nil)
	eventually(t, 5*time.Second, b.name+" receives "+payload, func() bool {
		return slices.Contains(payloadsOf(b), payload)
	})
}

func payloadsOf(n *testNode) []string {
	var out []string
	for _, m := range messagesOf(n) {
		out = append(out, string(m.Payload))
	}
	return out
}

func bProtection(b *testNode) protectionJSON {
	var list []protectionJSON
	b.mustCall("GET", "/admin/protected-shards", nil, 200, &list)
	if len(list) != 1 {
		b.t.Fatalf("%s: protected shards %+v", b.name, list)
	}
	return list[0]
}

// TestPreviousKeyFlag starts a relay with -protected-shard-previous: the old
// key is accepted for the duration given, counted from the start.
func TestPreviousKeyFlag(t *testing.T) {
	oldKey, _ := protected.GenerateKey()
	newKey, _ := protected.GenerateKey()
	before := time.Now()
	cfg, err := parseFlagsEnv([]string{"-listen", "/ip4/127.0.0.1/tcp/0", "-rest", "127.0.0.1:0",
		"-shard-signing-key", "32:" + newKey.Hex(), "-protected-shard-previous", "32:" + oldKey.Public().Hex() + ":10m"},
		io.Discard, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	n := startTestNode(t, "R", cfg)
	prot := bProtection(n)
	until, err := time.Parse(time.RFC3339, prot.PreviousKeyUntil)
	if err != nil || prot.PublicKey != newKey.Public().Hex() || !prot.CanSign || prot.PreviousPublicKey != oldKey.Public().Hex() ||
		until.Before(before.Add(10*time.Minute).Add(-time.Millisecond)) || until.After(time.Now().Add(10*time.Minute)) {
		t.Fatalf("protection after start: %+v (%v)", prot, err)
	}
}
