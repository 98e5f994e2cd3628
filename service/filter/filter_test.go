package filter_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/service/filter"
	"github.com/wakupm/wakupm/service/internal/servicetest"
	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/shardmesh/protected"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

const ct = "/toychat/2/huilong/proto"

func budget(t testing.TB, r slots.Reserved) slots.Budget {
	t.Helper()
	b, err := slots.NewBudget(60, slots.WithReserved(r))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sub(id string, cts ...string) wire.SubscribeRequest {
	return wire.SubscribeRequest{RequestID: id, Type: wire.Subscribe, PubsubTopic: servicetest.Topic, HasPubsub: true, ContentTopics: cts}
}

func msg(payload string) []byte {
	return protected.Message{Payload: []byte(payload), ContentTopic: ct, Timestamp: time.Now().UnixNano()}.Marshal()
}

// TestSubscribePushLightPushUnsubscribe: a Go client subscribes, receives a
// message the relay node publishes, light-pushes one the relay node
// receives (and, being subscribed, gets it pushed back), pings and
// unsubscribes; its slot is free at once.
func TestSubscribePushLightPushUnsubscribe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := servicetest.New(t, servicetest.Config{Clients: 2, Budget: budget(t, slots.Reserved{Filter: 4, LightPush: 4})})
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		server := r.Net.Node(servicetest.Server).ID()
		c := r.Client(0).Host
		inbox := servicetest.NewInbox(c)
		if err := r.Connect(ctx, 0); err != nil {
			t.Fatal(err)
		}
		resp, err := servicetest.Filter(ctx, c, server, sub("s1", ct))
		if err != nil || resp.StatusCode != 200 || resp.RequestID != "s1" {
			t.Fatalf("subscribe: %+v %v", resp, err)
		}
		start := time.Now()
		if err := r.RelayTopic.Publish(ctx, msg("from relay")); err != nil {
			t.Fatal(err)
		}
		got := inbox.Wait(ctx, 1)
		if len(got) != 1 || string(got[0].Message.Payload) != "from relay" || got[0].PubsubTopic != servicetest.Topic {
			t.Fatalf("pushes %+v", got)
		}
		t.Logf("relay publish to filter push: %v (virtual)", time.Since(start))

		// Light push from client 1 reaches the relay node.
		if err := r.Connect(ctx, 1); err != nil {
			t.Fatal(err)
		}
		pr, err := servicetest.LightPush(ctx, r.Client(1).Host, server, wire.PushRequest{RequestID: "p1", PubsubTopic: servicetest.Topic,
			HasPubsub: true, Message: msg("light pushed"), HasMessage: true})
		if err != nil || pr.StatusCode != 200 || pr.RelayPeerCount != 1 || pr.RequestID != "p1" {
			t.Fatalf("light push: %+v %v", pr, err)
		}
		m, err := r.RelaySub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if dm, _ := protected.Unmarshal(m.Data); string(dm.Payload) != "from relay" {
			// the relay node's own message comes first
			t.Fatalf("relay node got %q first", dm.Payload)
		}
		if m, err = r.RelaySub.Next(ctx); err != nil {
			t.Fatal(err)
		}
		if dm, _ := protected.Unmarshal(m.Data); string(dm.Payload) != "light pushed" {
			t.Fatalf("relay node got %q", dm.Payload)
		}
		if got := inbox.Wait(ctx, 2); len(got) != 2 {
			t.Fatalf("subscriber got %d pushes, want the light-pushed one too", len(got))
		}

		for _, step := range []struct {
			req  wire.SubscribeRequest
			want uint32
		}{
			{wire.SubscribeRequest{RequestID: "p", Type: wire.SubscriberPing}, 200},
			{wire.SubscribeRequest{RequestID: "u", Type: wire.UnsubscribeAll}, 200},
			{wire.SubscribeRequest{RequestID: "p2", Type: wire.SubscriberPing}, 404},
			{wire.SubscribeRequest{RequestID: "u2", Type: wire.Unsubscribe, PubsubTopic: servicetest.Topic, HasPubsub: true, ContentTopics: []string{ct}}, 404},
		} {
			resp, err := servicetest.Filter(ctx, c, server, step.req)
			if err != nil || resp.StatusCode != step.want {
				t.Fatalf("%s: %+v %v, want %d", step.req.Type, resp, err, step.want)
			}
		}
		if n := r.Gater.Pool(slots.Filter).Stats(time.Now()).InUse; n != 0 {
			t.Fatalf("%d filter slots in use after unsubscribe-all", n)
		}
	})
}

// TestBadInput: malformed, oversized and out-of-scope requests get typed
// status codes, and nothing leaks (synctest fails on a goroutine left
// blocked).
func TestBadInput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := servicetest.New(t, servicetest.Config{Clients: 1, Budget: budget(t, slots.Reserved{Filter: 4, LightPush: 4}),
			FilterOptions: []filter.Option{filter.WithMaxCriteriaPerPeer(3)}})
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		defer cancel()
		server := r.Net.Node(servicetest.Server).ID()
		c := r.Client(0).Host
		if err := r.Connect(ctx, 0); err != nil {
			t.Fatal(err)
		}
		many := make([]string, wire.MaxContentTopicsPerRequest+1)
		for i := range many {
			many[i] = ct
		}
		for _, tc := range []struct {
			name string
			body []byte
			want uint32
		}{
			{"malformed", []byte{0x0a, 0x05, 'x'}, 400},
			{"non-UTF-8", []byte{0x0a, 0x02, 0xff, 0xfe}, 400},
			{"oversized", make([]byte, wire.MaxFilterRequestFrame+1), 400},
			{"unknown type", wire.SubscribeRequest{RequestID: "x", Type: 9}.Marshal(), 400},
			{"unknown shard", wire.SubscribeRequest{Type: wire.Subscribe, PubsubTopic: "/waku/2/rs/16/33", HasPubsub: true, ContentTopics: []string{ct}}.Marshal(), 400},
			{"other cluster", wire.SubscribeRequest{Type: wire.Subscribe, PubsubTopic: "/waku/2/rs/1/32", HasPubsub: true, ContentTopics: []string{ct}}.Marshal(), 400},
			{"bad content topic", sub("x", "not-a-topic").Marshal(), 400},
			{"no content topic", sub("x").Marshal(), 400},
			{"too many topics", sub("x", many...).Marshal(), 400},
			{"no pubsub topic, no autosharding", wire.SubscribeRequest{Type: wire.Subscribe, ContentTopics: []string{ct}}.Marshal(), 400},
			{"within cap", sub("x", "/a/1/a/proto", "/a/1/b/proto").Marshal(), 200},
			{"beyond per-peer cap", sub("x", "/a/1/c/proto", "/a/1/d/proto").Marshal(), 429},
		} {
			b, err := servicetest.Exchange(ctx, c, server, protocols.FilterSubscribe, tc.body)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			resp, err := wire.DecodeSubscribeResponse(b)
			if err != nil || resp.StatusCode != tc.want {
				t.Errorf("%s: %+v %v, want %d", tc.name, resp, err, tc.want)
			}
		}
		// The refused subscribe changed nothing: the peer keeps its two.
		if n := r.Filter.Table().Held(peerid.ID(r.Client(0).ID())); n != 2 {
			t.Fatalf("peer holds %d criteria, want 2", n)
		}
	})
}

// TestSubscriptionExpiresWithoutPing: a subscriber that stops pinging loses
// its subscription and its slot one TTL later; one that pings keeps both.
func TestSubscriptionExpiresWithoutPing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ttl = 30 * time.Second
		r := servicetest.New(t, servicetest.Config{Clients: 2, Budget: budget(t, slots.Reserved{Filter: 4, LightPush: 4}),
			GaterOptions: []gater.Option{gater.WithPoolOptions(slots.Filter, slots.WithTTL(ttl)), gater.WithGrace(time.Hour)}})
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
		defer cancel()
		server := r.Net.Node(servicetest.Server).ID()
		for k := range 2 {
			if err := r.Connect(ctx, k); err != nil {
				t.Fatal(err)
			}
			if resp, err := servicetest.Filter(ctx, r.Client(k).Host, server, sub("s", ct)); err != nil || resp.StatusCode != 200 {
				t.Fatalf("subscribe %d: %+v %v", k, resp, err)
			}
		}
		for range 4 { // client 1 pings every 20 s, client 0 never
			time.Sleep(20 * time.Second)
			if resp, err := servicetest.Filter(ctx, r.Client(1).Host, server, wire.SubscribeRequest{Type: wire.SubscriberPing}); err != nil || resp.StatusCode != 200 {
				t.Fatalf("ping: %+v %v", resp, err)
			}
		}
		if r.Filter.Table().Held(peerid.ID(r.Client(0).ID())) != 0 || r.Filter.Table().Held(peerid.ID(r.Client(1).ID())) != 1 {
			t.Fatalf("after 80 s: client 0 holds %d, client 1 %d", r.Filter.Table().Held(peerid.ID(r.Client(0).ID())), r.Filter.Table().Held(peerid.ID(r.Client(1).ID())))
		}
		resp, _ := servicetest.Filter(ctx, r.Client(0).Host, server, wire.SubscribeRequest{Type: wire.SubscriberPing})
		if resp.StatusCode != 404 {
			t.Fatalf("expired client's ping: %d, want 404", resp.StatusCode)
		}
		if st := r.Gater.Pool(slots.Filter).Stats(time.Now()); st.InUse != 1 || st.Expired != 1 {
			t.Fatalf("pool %+v", st)
		}
	})
}

// TestGoneAndSlowSubscribersBlockNothing: pushes to a subscriber that never
// reads fill its bounded queue and are dropped and counted; pushes to one
// that left fail without a dial; Deliver returns at once in both cases.
func TestGoneAndSlowSubscribersBlockNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := servicetest.New(t, servicetest.Config{Clients: 2, Budget: budget(t, slots.Reserved{Filter: 4, LightPush: 4}),
			FilterOptions: []filter.Option{filter.WithQueueLen(2), filter.WithPushTimeout(2 * time.Second)},
			GaterOptions:  []gater.Option{gater.WithGrace(time.Hour)}})
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		server := r.Net.Node(servicetest.Server).ID()
		slow := r.Client(0).Host
		block := make(chan struct{})
		defer close(block)
		slow.SetStreamHandler(protocols.FilterPush, func(s network.Stream) { <-block; _ = s.Reset() })
		for k := range 2 {
			if err := r.Connect(ctx, k); err != nil {
				t.Fatal(err)
			}
			if resp, err := servicetest.Filter(ctx, r.Client(k).Host, server, sub("s", ct)); err != nil || resp.StatusCode != 200 {
				t.Fatalf("subscribe %d: %+v %v", k, resp, err)
			}
		}
		big := protected.Message{Payload: []byte(strings.Repeat("x", 100_000)), ContentTopic: ct}.Marshal()
		start := time.Now()
		for range 50 {
			r.Filter.Deliver(servicetest.Topic, big)
		}
		if d := time.Since(start); d != 0 {
			t.Fatalf("50 deliveries took %v of virtual time", d)
		}
		time.Sleep(30 * time.Second)
		st := r.Filter.Stats()
		if st.Dropped == 0 {
			t.Fatalf("nothing dropped: %+v", st)
		}
		t.Logf("stats after 50 x 100 kB to a reader and a non-reader, queue 2: %+v", st)
	})
}
