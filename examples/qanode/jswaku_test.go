package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/internal/nodejs"
	"github.com/wakupm/wakupm/slots"
)

// The js-waku interop tests run real js-waku light nodes (@waku/sdk 0.0.36
// on Node 22, several per process) from testdata/jswaku/driver.mjs against
// QA nodes on loopback websockets. js-waku's default muxer is mplex, which
// go-libp2p v0.51 no longer offers: the driver gives js-waku yamux
// (@chainsafe/libp2p-yamux 7.0.4, the release for js-waku's libp2p 2.x).
var jsPackages = []string{"@waku/sdk@0.0.36", "@chainsafe/libp2p-yamux@7.0.4"}

const jsContentTopic = "/qa/1/jswaku/proto"

// jsEvent is one line the driver prints.
type jsEvent struct {
	T         int64    `json:"t"`
	Client    int      `json:"client"`
	Event     string   `json:"event"`
	Peer      string   `json:"peer"`
	OK        bool     `json:"ok"`
	Error     string   `json:"error"`
	Ms        int64    `json:"ms"`
	Payload   string   `json:"payload"`
	Successes int      `json:"successes"`
	Failures  []string `json:"failures"`
	Served    int      `json:"served"`
	Refused   int      `json:"refused"`
	Open      int      `json:"open"`
	Cluster   int      `json:"cluster"`
	Shards    []int    `json:"shards"`
}

// runDriver runs the driver with cfg, calls onEvent for each line as it
// comes, and returns every event and what js-waku logged on stderr.
func runDriver(t *testing.T, env *nodejs.Env, cfg map[string]any, onEvent func(jsEvent)) ([]jsEvent, string) {
	t.Helper()
	return runDriverEnv(t, env, nil, cfg, onEvent)
}

// runDriverEnv is runDriver with extra environment variables for Node.
func runDriverEnv(t *testing.T, env *nodejs.Env, extraEnv []string, cfg map[string]any, onEvent func(jsEvent)) ([]jsEvent, string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "jswaku", "driver.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := env.WriteScript("qanode-driver.mjs", src)
	if err != nil {
		t.Fatal(err)
	}
	arg, _ := json.Marshal(cfg)
	deadline := time.Duration(cfg["deadlineMs"].(int)) * time.Millisecond
	ctx, cancel := context.WithTimeout(t.Context(), deadline+10*time.Second)
	defer cancel()
	cmd := env.Command(ctx, script, string(arg))
	// js-waku logs through debug: its errors carry the status codes.
	cmd.Env = append(append(os.Environ(), "DEBUG=waku:*:error,waku:*:warn"), extraEnv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var events []jsEvent
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var ev jsEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Logf("driver: %s", sc.Text())
			continue
		}
		events = append(events, ev)
		if onEvent != nil {
			onEvent(ev)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("driver: %v\nstdout events: %+v\nstderr:\n%s", err, events, tail(stderr.String(), 4000))
	}
	return events, stderr.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// wsAddr returns the node's plain loopback websocket address with its peer
// id (not a /wss or /tls/ws one).
func (tn *testNode) wsAddr(t *testing.T) string {
	secure := secureWSAddrs(tn.node.host.Addrs())
	for _, a := range tn.node.host.Addrs() {
		if _, err := a.ValueForProtocol(ma.P_WS); err == nil && !slices.ContainsFunc(secure, a.Equal) {
			return a.String() + "/p2p/" + tn.node.host.ID().String()
		}
	}
	t.Fatalf("%s listens on no websocket address: %v", tn.name, tn.node.host.Addrs())
	return ""
}

// jsNodes starts a relay node and a service node serving filter and light
// push on shard 32 over TCP and /ws, peered and meshed; tweaks change the
// service node's configuration before it starts.
func jsNodes(t *testing.T, colocate int, tweaks ...func(*config)) (relayNode, svc *testNode) {
	rc := testConfig()
	rc.shards = []uint16{32}
	relayNode = startTestNode(t, "relay", rc)
	sc := testConfig(relayNode.addrInfo())
	sc.listen = append(sc.listen, ma.StringCast("/ip4/127.0.0.1/tcp/0/ws"))
	sc.shards = []uint16{32}
	sc.serve = []string{serveFilter, serveLightPush}
	sc.colocate = colocate
	for _, tweak := range tweaks {
		tweak(&sc)
	}
	svc = startTestNode(t, "service", sc)
	eventually(t, 10*time.Second, "the service node meshes with the relay node on shard 32", func() bool {
		tp := svc.node.joinedTopic("/waku/2/rs/16/32")
		return tp != nil && len(tp.ListPeers()) == 1
	})
	return relayNode, svc
}

// TestJSWakuLightClient (a): a js-waku light node connects over /ws, passes
// the metadata check, light-pushes a message the relay node receives, and
// receives through filter a message the relay node publishes.
func TestJSWakuLightClient(t *testing.T) {
	env := nodejs.Require(t, jsPackages...)
	relayNode, svc := jsNodes(t, 5)
	var published time.Time
	var firstPush time.Duration
	var mu sync.Mutex
	events, stderr := runDriver(t, env, map[string]any{
		"mode": "basic", "peers": []string{svc.wsAddr(t)}, "cluster": 16, "shard": 32,
		"contentTopic": jsContentTopic, "push": "hello from js-waku", "deadlineMs": 30000,
	}, func(ev jsEvent) {
		mu.Lock()
		defer mu.Unlock()
		switch ev.Event {
		case "subscribed":
			published = time.Now()
			relayNode.mustCall("POST", "/relay/publish/32", map[string]any{"payload": b64("hello from go"), "contentTopic": jsContentTopic}, 200, nil)
		case "message":
			firstPush = time.Since(published)
		}
	})
	t.Logf("js-waku printed: %+v", events)
	var sub, push, msg, meta *jsEvent
	for i := range events {
		switch events[i].Event {
		case "metadata":
			meta = &events[i]
		case "subscribe":
			sub = &events[i]
		case "lightpush":
			push = &events[i]
		case "message":
			msg = &events[i]
		}
	}
	if sub == nil || !sub.OK {
		t.Fatalf("filter subscribe: %+v\n%s", sub, tail(stderr, 3000))
	}
	if meta == nil || meta.Cluster != 16 || len(meta.Shards) != 1 || meta.Shards[0] != 32 {
		t.Errorf("js-waku's metadata of the service node: %+v, want cluster 16, shards [32]", meta)
	}
	if push == nil || push.Successes != 1 || len(push.Failures) != 0 {
		t.Fatalf("light push: %+v\n%s", push, tail(stderr, 3000))
	}
	if msg == nil || msg.Payload != "hello from go" {
		t.Fatalf("filter push: %+v", msg)
	}
	eventually(t, 5*time.Second, "the relay node receives the light-pushed message", func() bool {
		for _, m := range messagesOf(relayNode) {
			if string(m.Payload) == "hello from js-waku" {
				return true
			}
		}
		return false
	})
	t.Logf("time from the relay node's publish to js-waku's filter callback: %v; subscribe took %d ms", firstPush, sub.Ms)
	if st := svc.node.gater.Stats(time.Now()); st.Pools[slots.Filter].Admitted != 1 || st.Pools[slots.LightPush].Admitted != 1 {
		t.Errorf("pools: filter %+v, light push %+v", st.Pools[slots.Filter], st.Pools[slots.LightPush])
	}
}

// TestJSWakuSlotPressure (c): 30 js-waku light nodes in one process against
// a service node with 10 reserved filter slots (-max-connections 50): 10 are
// served, 20 get 503, which js-waku reports as a rejection; the relay
// node's connection is untouched; once the 10 stop, the others get their
// slots.
func TestJSWakuSlotPressure(t *testing.T) {
	if testing.Short() {
		t.Skip("30 js-waku nodes")
	}
	env := nodejs.Require(t, jsPackages...)
	relayNode, svc := jsNodes(t, 0)
	if c := svc.node.gater.Pool(slots.Filter).Capacity(); c != 10 {
		t.Fatalf("filter slots %d, want 10", c)
	}
	events, stderr := runDriver(t, env, map[string]any{
		"mode": "subscribe", "clients": 30, "peers": []string{svc.wsAddr(t)}, "cluster": 16, "shard": 32,
		"contentTopic": jsContentTopic, "holdMs": 2000, "deadlineMs": 90000,
	}, nil)
	var summary, retry *jsEvent
	for i := range events {
		switch events[i].Event {
		case "summary":
			summary = &events[i]
		case "retry-summary":
			retry = &events[i]
		}
	}
	if summary == nil || summary.Served != 10 || summary.Refused != 20 {
		t.Fatalf("first round: %+v\n%s", summary, tail(stderr, 3000))
	}
	if retry == nil || retry.Served != 10 {
		t.Errorf("after the 10 left: %+v", retry)
	}
	rejected := strings.Count(stderr, "failed with status code 503")
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, "failed with status code 503") {
			t.Logf("js-waku printed: %s", strings.TrimSpace(line))
			break
		}
	}
	t.Logf("js-waku: %d served, %d refused, then %d of the refused served; js-waku logged %d x %q",
		summary.Served, summary.Refused, retry.Served, rejected, "Filter subscribe request ... failed with status code 503: no_slot")
	if rejected < 20 {
		t.Errorf("js-waku logged %d rejections with 503, want 20:\n%s", rejected, tail(stderr, 3000))
	}
	st := svc.node.gater.Stats(time.Now())
	t.Logf("filter pool: %+v; ledger peers %v refusals %v", st.Pools[slots.Filter], st.Ledger.Peers, st.Ledger.Refused)
	if st.Pools[slots.Filter].Rejected[slots.ReasonNoSlot] < 20 {
		t.Errorf("pool refused %d for no slot", st.Pools[slots.Filter].Rejected[slots.ReasonNoSlot])
	}
	var sl slotsJSON
	svc.mustCall("GET", "/slots", nil, 200, &sl)
	for _, s := range sl.Services {
		if s.Service == "filter" {
			if s.Served == nil || s.Served.Answers["200"] < 20 || s.Served.Answers["503"] < 20 {
				t.Errorf("GET /slots filter: %+v, served %+v", s, s.Served)
			} else {
				t.Logf("GET /slots filter: capacity %d, in use %d, admitted %d, rejected %v, answers %v",
					s.Capacity, s.InUse, s.Admitted, s.Rejected, s.Served.Answers)
			}
		}
	}
	if len(svc.node.joinedTopic("/waku/2/rs/16/32").ListPeers()) != 1 || svc.node.gater.Class(relayNode.node.host.ID()) != slots.ClassOutbound {
		t.Errorf("the relay connection changed: class %s", svc.node.gater.Class(relayNode.node.host.ID()))
	}
}

// TestJSWakuConnectThenWait (e): a js-waku light node connects, waits 12 s
// (past the grace period of 10 s; the 60 s would cost two minutes
// of CI for the same answer, which TestConnectThenWaitBeforeSubscribing in
// service/filter gives with 60 s of virtual time) and then subscribes. Before SLOT-11
// (-waiting-clients 0) the node closes it at the end of its grace period;
// with the default it keeps one connection and is served.
func TestJSWakuConnectThenWait(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 25 s twice")
	}
	env := nodejs.Require(t, jsPackages...)
	for _, c := range []struct {
		name    string
		waiting int
	}{{"before: -waiting-clients 0", 0}, {"after: default", -1}} {
		t.Run(c.name, func(t *testing.T) {
			rc := testConfig()
			rc.shards = []uint16{32}
			relayNode := startTestNode(t, "relay", rc)
			sc := testConfig(relayNode.addrInfo())
			sc.listen = append(sc.listen, ma.StringCast("/ip4/127.0.0.1/tcp/0/ws"))
			sc.shards, sc.serve, sc.waiting = []uint16{32}, []string{serveFilter, serveLightPush}, c.waiting
			svc := startTestNode(t, "service", sc)
			events, _ := runDriver(t, env, map[string]any{
				"mode": "wait", "waitMs": 12000, "peers": []string{svc.wsAddr(t)}, "cluster": 16, "shard": 32,
				"contentTopic": jsContentTopic, "deadlineMs": 30000,
			}, nil)
			opened, closed, ok, asked := 0, 0, false, false
			for _, ev := range events {
				switch {
				case ev.Event == "conn-open":
					opened++
				case ev.Event == "conn-close" && !asked:
					closed++
				case ev.Event == "subscribe":
					ok, asked = ev.OK, true
				}
			}
			st := svc.node.gater.Stats(time.Now())
			t.Logf("%s: js-waku opened %d connections, %d closed before it subscribed; subscribe ok=%v; ledger refusals %v",
				c.name, opened, closed, ok, st.Ledger.Refused)
			if c.waiting < 0 && (opened != 1 || !ok) {
				t.Errorf("with a waiting room: %d connections, subscribe ok=%v", opened, ok)
			}
			if c.waiting == 0 && st.Ledger.Refused[slots.RefuseGraceExpired] == 0 {
				t.Errorf("without a waiting room the client was not closed at the end of its grace period")
			}
		})
	}
}

// TestJSWakuClusterMismatch (b): a js-waku light node configured for
// cluster 1 dials a cluster-16 service node. js-waku does not check the
// cluster before it uses the connection; the node's metadata check closes
// it; js-waku then does not redial, and its subscribe finds no peer.
func TestJSWakuClusterMismatch(t *testing.T) {
	env := nodejs.Require(t, jsPackages...)
	_, svc := jsNodes(t, 5)
	events, stderr := runDriver(t, env, map[string]any{
		"mode": "wait", "waitMs": 3000, "peers": []string{svc.wsAddr(t)}, "cluster": 1, "shard": 32,
		"contentTopic": jsContentTopic, "deadlineMs": 20000,
	}, nil)
	var openAt, closeAt int64 = -1, -1
	opened, ok := 0, true
	for _, ev := range events {
		switch ev.Event {
		case "conn-open":
			opened++
			if openAt < 0 {
				openAt = ev.T
			}
		case "conn-close":
			if closeAt < 0 {
				closeAt = ev.T
			}
		case "subscribe":
			ok = ev.OK
		}
	}
	t.Logf("js-waku (cluster 1) against cluster 16: %d connection(s) opened, first closed %d ms after it opened; subscribe ok=%v; events %+v",
		opened, closeAt-openAt, ok, events)
	if opened != 1 || closeAt < 0 || ok {
		t.Errorf("want one connection, closed by the node, and a failed subscribe\n%s", tail(stderr, 2000))
	}
	if st := svc.node.gater.Stats(time.Now()); st.Pools[slots.Filter].Admitted != 0 {
		t.Errorf("a client of another cluster took a filter slot: %+v", st.Pools[slots.Filter])
	}
}
