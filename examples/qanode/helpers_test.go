package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/shardmesh/protected"
)

// runMainEnv makes the test binary run the command itself (with the
// arguments in the variable), so that a test can signal a real process.
const runMainEnv = "QANODE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(runMainEnv); ok {
		os.Args = append([]string{"qanode"}, strings.Fields(args)...)
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

// testNode is a node on loopback TCP with its REST API on an httptest
// server.
type testNode struct {
	t    *testing.T
	name string
	node *Node
	srv  *httptest.Server
}

func testConfig(peers ...peer.AddrInfo) config {
	return config{
		listen:    []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")},
		cluster:   16,
		peers:     peers,
		maxConns:  defaultMaxConns,
		colocate:  5,
		buffer:    16,
		protect:   map[uint16]protected.PublicKey{},
		signKeys:  map[uint16]protected.PrivateKey{},
		noMetrics: true,
		waiting:   -1,
	}
}

func startTestNode(t *testing.T, name string, cfg config) *testNode {
	t.Helper()
	n, err := newNode(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	tn := &testNode{t: t, name: name, node: n, srv: httptest.NewServer(n.Handler())}
	t.Cleanup(func() {
		tn.srv.Close()
		if err := n.Close(); err != nil {
			t.Errorf("%s: close: %v", name, err)
		}
	})
	return tn
}

func (tn *testNode) addrInfo() peer.AddrInfo {
	return peer.AddrInfo{ID: tn.node.host.ID(), Addrs: tn.node.host.Addrs()}
}

// call sends a JSON request and decodes the JSON answer into out (unless
// nil); it returns the status code and the raw body.
func (tn *testNode) call(method, path string, body any, out any) (int, string) {
	tn.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tn.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, tn.srv.URL+path, rd)
	if err != nil {
		tn.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := tn.srv.Client().Do(req)
	if err != nil {
		tn.t.Fatalf("%s %s %s: %v", tn.name, method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tn.t.Fatal(err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			tn.t.Fatalf("%s %s %s: decoding %s: %v", tn.name, method, path, raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

// mustCall is call that fails the test unless the status is want.
func (tn *testNode) mustCall(method, path string, body any, want int, out any) string {
	tn.t.Helper()
	status, raw := tn.call(method, path, body, out)
	if status != want {
		tn.t.Fatalf("%s %s %s: status %d, want %d: %s", tn.name, method, path, status, want, raw)
	}
	return raw
}

// eventually polls cond every 50 ms until it holds or the deadline passes.
// The network runs in real time here (loopback TCP), so the test waits for
// a state rather than for a duration.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
