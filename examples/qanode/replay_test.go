package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"
)

// simNode is a node on the simulated network, its REST API called in
// process (no sockets inside the synctest bubble).
type simNode struct {
	t    *testing.T
	node *Node
	h    http.Handler
}

func (s simNode) call(method, path string, body any, want int, out any) {
	s.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		s.t.Fatal(err)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	if body == nil {
		req = httptest.NewRequest(method, path, nil)
	}
	req.Host = "localhost" // httptest's example.com is not a host the API answers
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, rec.Code, want, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			s.t.Fatal(err)
		}
	}
}

func (s simNode) messages() []receivedJSON {
	var out messagesJSON
	s.call("GET", "/relay/messages/32", nil, 200, &out)
	return out.Messages
}

// TestReplayAfterSeenCacheTTL replays a signed message verbatim 3 minutes
// after it was published, in virtual time on the simulated network: every
// gossipsub seen cache (2 min) has forgotten it, its timestamp is still
// within the 5 min window. B de-duplicates across the window and ignores
// it; D, validating as nwaku and go-waku do (-no-replay-protection),
// delivers it a second time.
func TestReplayAfterSeenCacheTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 4 // A signs, B and D check (D without replay protection), C replays
		cfgs := make([]config, n)
		parts := make([]hostParts, n)
		for i := range n {
			cfgs[i] = testConfig()
			cfgs[i].shards = []uint16{32}
			var err error
			if parts[i], err = newHostParts(cfgs[i], slog.New(slog.DiscardHandler)); err != nil {
				t.Fatal(err)
			}
		}
		cfgs[3].noReplay = true
		nw := simhost.NewT(t, n, simhost.WithoutPubsub(),
			simhost.WithHostOptions(func(i int) []libp2p.Option { return parts[i].options() }))
		nodes := make([]simNode, n)
		for i := range n {
			node, err := startNode(cfgs[i], nw.Node(i).Host, parts[i], slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = node.Close() }) // before the network closes
			nodes[i] = simNode{t: t, node: node, h: node.Handler()}
		}
		a, b, c, d := nodes[0], nodes[1], nodes[2], nodes[3]
		var keys map[string]string
		a.call("POST", "/admin/keygen", nil, 200, &keys)
		a.call("POST", "/admin/protected-shards", map[string]any{"shard": 32, "privateKey": keys["privateKey"]}, 200, nil)
		for _, x := range []simNode{b, d} {
			x.call("POST", "/admin/protected-shards", map[string]any{"shard": 32, "publicKey": keys["publicKey"]}, 200, nil)
		}
		if err := nw.ConnectAll(t.Context()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second) // virtual: gossipsub heartbeats graft the mesh
		var h healthJSON
		b.call("GET", "/health", nil, 200, &h)
		if len(h.Shards) != 1 || h.Shards[0].MeshPeers != 3 {
			t.Fatalf("B's mesh after 5 s: %+v", h)
		}

		a.call("POST", "/relay/publish/32", map[string]any{"payload": b64("hello"), "contentTopic": "/qa/1/chat/proto"}, 200, nil)
		time.Sleep(time.Second)
		got := b.messages()
		if len(got) != 1 || len(d.messages()) != 1 || len(c.messages()) != 1 {
			t.Fatalf("first copy: B %d, C %d, D %d messages", len(got), len(c.messages()), len(d.messages()))
		}
		orig := got[0]

		time.Sleep(wakugossip.SeenMessagesTTL + time.Minute) // 3 min: seen caches forgot, window still open
		c.call("POST", "/relay/publish/32", map[string]any{"payload": b64("hello"), "contentTopic": orig.ContentTopic,
			"timestamp": orig.Timestamp, "meta": orig.Meta}, 200, nil)
		time.Sleep(time.Second)

		if got := len(c.messages()); got != 2 {
			t.Fatalf("C (no protection) delivered its replay %d times, want 2 messages", got)
		}
		if got := len(d.messages()); got != 2 {
			t.Fatalf("D (nwaku-like) has %d messages, want the replay delivered again (2)", got)
		}
		if got := len(b.messages()); got != 1 {
			t.Fatalf("B has %d messages, want the replay ignored (1)", got)
		}
		var prot []protectionJSON
		b.call("GET", "/admin/protected-shards", nil, 200, &prot)
		if prot[0].Ignored["replay"] != 1 || prot[0].Accepted != 1 {
			t.Fatalf("B's counters: %+v", prot[0])
		}
	})
}
