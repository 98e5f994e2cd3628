package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/internal/nodejs"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/slots"
)

// fillFilterSlots takes every filter slot of tn with Go clients on
// loopback and returns them (closed at cleanup).
func fillFilterSlots(t *testing.T, tn *testNode) {
	t.Helper()
	n := tn.node.gater.Pool(slots.Filter).Capacity()
	for i := range n {
		h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = h.Close() })
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		if err := h.Connect(ctx, tn.addrInfo()); err != nil {
			cancel()
			t.Fatal(err)
		}
		st, err := h.NewStream(ctx, tn.node.host.ID(), protocols.FilterSubscribe)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		req := wire.SubscribeRequest{RequestID: fmt.Sprint(i), Type: wire.Subscribe, PubsubTopic: "/waku/2/rs/16/32", HasPubsub: true,
			ContentTopics: []string{"/qa/1/filler/proto"}}
		if err := wire.WriteFrame(st, req.Marshal()); err != nil {
			t.Fatal(err)
		}
		b, err := wire.ReadFrame(st, 1024)
		_ = st.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := wire.DecodeSubscribeResponse(b); err != nil || resp.StatusCode != 200 {
			t.Fatalf("filler %d: %+v %v", i, resp, err)
		}
	}
}

// TestJSWakuTwoServiceNodesOneRefusing (d): js-waku's own peer manager with
// two service nodes, one whose filter slots are all taken (it answers 503).
// What js-waku does is recorded: it subscribes to both at once (the SDK's
// numPeersToUse is 2), reports success as soon as one accepts, and does not
// ask the refusing node again within the test.
func TestJSWakuTwoServiceNodesOneRefusing(t *testing.T) {
	env := nodejs.Require(t, jsPackages...)
	relayNode, full := jsNodes(t, 0)
	sc := testConfig(relayNode.addrInfo())
	sc.listen = append(sc.listen, ma.StringCast("/ip4/127.0.0.1/tcp/0/ws"))
	sc.shards, sc.serve, sc.colocate = []uint16{32}, []string{serveFilter, serveLightPush}, 0
	open := startTestNode(t, "open", sc)
	fillFilterSlots(t, full)
	events, stderr := runDriver(t, env, map[string]any{
		"mode": "wait", "waitMs": 1000, "peers": []string{full.wsAddr(t), open.wsAddr(t)}, "cluster": 16, "shard": 32,
		"contentTopic": jsContentTopic, "deadlineMs": 20000,
	}, nil)
	var sub *jsEvent
	for i := range events {
		if events[i].Event == "subscribe" {
			sub = &events[i]
		}
	}
	fs, ops := full.node.filter.Stats(), open.node.filter.Stats()
	t.Logf("js-waku with a full and an open node: subscribe %+v; full node answered %v, open node %v; js-waku logged %d refusals",
		sub, fs.Answers, ops.Answers, strings.Count(stderr, "failed with status code 503"))
	if sub == nil || !sub.OK {
		t.Fatalf("js-waku did not get the open node's filter: %+v\n%s", sub, tail(stderr, 2000))
	}
	if ops.Answers[200] != 1 || fs.Answers[503] < 1 {
		t.Errorf("answers: full %v, open %v", fs.Answers, ops.Answers)
	}
}
