package main

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/wakupm/wakupm/slots"
)

// TestPageEndpointsBadInput checks that every endpoint the node page reads
// answers bad input with a 400 (or 405 for a wrong method) and an error
// that says what is wrong.
func TestPageEndpointsBadInput(t *testing.T) {
	n := startTestNode(t, "solo", testConfig())
	for _, path := range []string{"/health", "/info", "/slots", "/bandwidth", "/shards", "/peers"} {
		status, raw := n.call("GET", path+"?shard=32", nil, nil)
		if status != 400 || !strings.Contains(raw, `"error"`) || !strings.Contains(raw, "takes no query parameters") {
			t.Errorf("GET %s?shard=32: %d %s; want 400 saying it takes no query parameters", path, status, raw)
		}
		if status, raw := n.call("POST", path, `{}`, nil); status != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: %d %s; want 405", path, status, raw)
		}
	}
	for _, path := range []string{"/ui/nothing.js", "/ui/", "/ui/../rest.go"} {
		if status, _ := n.call("GET", path, nil, nil); status != 404 {
			t.Errorf("GET %s: %d, want 404", path, status)
		}
	}
}

// TestPageServed checks that / serves the page with headers that keep it
// from being framed or loading anything from elsewhere, and that with a
// token the page's files are served without it but the API is not.
func TestPageServed(t *testing.T) {
	cfg := testConfig()
	cfg.restToken = "page-token"
	n := startTestNode(t, "solo", cfg)
	for _, path := range []string{"/", "/ui/app.js", "/ui/style.css"} {
		resp, err := n.srv.Client().Get(n.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") ||
			resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: %d %v", path, resp.StatusCode, resp.Header)
		}
	}
	if status, _ := n.call("GET", "/health", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("GET /health without the token: %d, want 401", status)
	}
	req, _ := http.NewRequest("GET", n.srv.URL+"/", nil)
	req.Host = "attacker.example"
	resp, err := n.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("GET / with a foreign Host: %d, want 421", resp.StatusCode)
	}
}

// TestSlotsAndBandwidth connects two nodes on shard 32, publishes, and
// checks /slots (budget, classes, prefixes, every refusal reason) and
// /bandwidth (data bytes of shard 32 in and out, control bytes).
func TestSlotsAndBandwidth(t *testing.T) {
	a := startTestNode(t, "A", testConfig())
	b := startTestNode(t, "B", testConfig(a.addrInfo()))
	for _, n := range []*testNode{a, b} {
		n.mustCall("POST", "/relay/subscribe", []any{32}, 200, nil)
	}
	eventually(t, 10*time.Second, "A and B in each other's mesh", func() bool {
		var h healthJSON
		a.mustCall("GET", "/health", nil, 200, &h)
		return len(h.Shards) == 1 && h.Shards[0].MeshPeers == 1
	})
	a.mustCall("POST", "/relay/publish/32", map[string]any{"payload": b64("hello"), "contentTopic": "/qa/1/chat/proto"}, 200, nil)
	eventually(t, 5*time.Second, "B receives the message", func() bool { return len(messagesOf(b)) == 1 })

	// a filter client's lease (no filter service is served yet: the pool is the gater's)
	lease, err := a.node.gater.Pool(slots.Filter).Admit(slots.Client{Peer: "filter-client", Addr: netip.MustParseAddr("10.0.1.7")}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer a.node.gater.Release(lease)
	var sl slotsJSON
	a.mustCall("GET", "/slots", nil, 200, &sl)
	if f := sl.Services[0]; f.Service != "filter" || f.InUse != 1 || len(f.Prefixes) != 1 || f.Prefixes[0] != (prefixLeasesJSON{"10.0.1.0/24", 1}) {
		t.Errorf("A's /slots filter pool: %+v", f)
	}
	if sl.Budget.MaxConnections != defaultMaxConns || sl.Connections.Total != 1 || sl.Connections.ByClass["relay_inbound"] != 1 {
		t.Errorf("A's /slots budget and connections: %+v %+v", sl.Budget, sl.Connections)
	}
	if len(sl.Services) != 4 || len(sl.Refused) != 7 {
		t.Errorf("A's /slots: %d services, %d refusal reasons; want 4 and 7", len(sl.Services), len(sl.Refused))
	}
	if len(sl.Prefixes.Groups) != 1 || sl.Prefixes.Groups[0].Prefix != "127.0.0.1/32" || sl.Prefixes.Groups[0].Inbound != 1 ||
		sl.Prefixes.InboundLimit != 5 {
		t.Errorf("A's /slots prefixes: %+v", sl.Prefixes)
	}

	var bw bandwidthJSON
	eventually(t, 5*time.Second, "B counts data bytes in on shard 32", func() bool {
		b.mustCall("GET", "/bandwidth", nil, 200, &bw)
		return bw.Gossip["in"].Data > 0 && len(bw.Gossip["in"].ByShard) == 1 && bw.Gossip["in"].ByShard[0].Shard == 32
	})
	in := bw.Gossip["in"]
	if in.Total != in.Data+in.Control+in.Other || in.ByType["data"] != in.Data || len(bw.Protocols) == 0 {
		t.Errorf("B's /bandwidth in: %+v protocols %v", in, bw.Protocols)
	}
	var h healthJSON
	b.mustCall("GET", "/health", nil, 200, &h)
	if h.Mesh.D != 6 || h.Mesh.Dlo != 4 || len(h.Shards) != 1 || !strings.Contains(h.Shards[0].Reason, "1 counted mesh peers, below 4 (Dlo)") {
		t.Errorf("B's /health: %+v", h)
	}
}
