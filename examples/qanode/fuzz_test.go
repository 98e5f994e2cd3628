package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"testing"
)

// FuzzRESTBodies sends arbitrary bodies to the endpoints that decode JSON
// (subscribe, publish, protect) of one node: whatever the body, the answer
// is a JSON object or array, and a refusal is a 4xx with an "error" field,
// never a 5xx or a panic.
func FuzzRESTBodies(f *testing.F) {
	f.Add(uint8(0), []byte(`[32, "/waku/2/rs/16/33"]`))
	f.Add(uint8(1), []byte(`{"payload":"aGk=","contentTopic":"/qa/1/chat/proto","timestamp":1,"meta":"AA==","version":2,"ephemeral":true}`))
	f.Add(uint8(2), []byte(`{"shard":32,"publicKey":"0x049c5fac802da41e07e6cdf51c3b9a6351ad5e65921527f2df5b7d59fd9b56ab02bab736cdcfc37f25095e78127500da371947217a8cd5186ab890ea866211c3f6"}`))
	f.Add(uint8(2), []byte(`{"shard":32,"privateKey":"0x5526a8990317c9b7b58d07843d270f9cd1d9aaee129294c1c478abf7261dd9e6","keepPreviousKeyFor":"90s"}`))
	f.Add(uint8(3), []byte(`["/waku/2/rs/16/32"]`))
	f.Add(uint8(1), []byte(`{"payload":null,"contentTopic":"/a/b"}`))
	cfg := testConfig()
	cfg.shards = []uint16{32}
	n, err := newNode(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = n.Close() })
	h := n.Handler()
	endpoints := []struct{ method, path string }{
		{"POST", "/relay/subscribe"},
		{"POST", "/relay/publish/32"},
		{"POST", "/admin/protected-shards"},
		{"DELETE", "/relay/subscribe"},
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		ep := endpoints[int(which)%len(endpoints)]
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(ep.method, ep.path, bytes.NewReader(body))
		req.Host = "127.0.0.1:8645" // past the REST guard, to the decoders
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", ep.method, ep.path, body, rec.Code, rec.Body)
		}
		var v any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s %s %q: answer is not JSON: %s", ep.method, ep.path, body, rec.Body)
		}
		if rec.Code >= 400 {
			if m, ok := v.(map[string]any); !ok || m["error"] == nil {
				t.Fatalf("%s %s %q: refusal without an error field: %s", ep.method, ep.path, body, rec.Body)
			}
		}
	})
}
