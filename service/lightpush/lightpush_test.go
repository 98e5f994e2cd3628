package lightpush_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/service/internal/servicetest"
	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/shardmesh/protected"
	"github.com/wakupm/wakupm/slots"
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

func push(topic string, m []byte) []byte {
	return wire.PushRequest{RequestID: "r", PubsubTopic: topic, HasPubsub: topic != "", Message: m, HasMessage: m != nil}.Marshal()
}

func msg(payload, contentTopic string) []byte {
	return protected.Message{Payload: []byte(payload), ContentTopic: contentTopic, Timestamp: time.Now().UnixNano()}.Marshal()
}

// TestBadInputV3: every refusal of light push v3 carries its status code.
func TestBadInputV3(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := servicetest.New(t, servicetest.Config{Clients: 1, Budget: budget(t, slots.Reserved{Filter: 2, LightPush: 2})})
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		server := r.Net.Node(servicetest.Server).ID()
		c := r.Client(0).Host
		if err := r.Connect(ctx, 0); err != nil {
			t.Fatal(err)
		}
		huge := protected.Message{Payload: []byte(strings.Repeat("x", wire.MaxWakuMessageSize)), ContentTopic: ct}.Marshal()
		for _, tc := range []struct {
			name string
			body []byte
			want uint32
		}{
			{"malformed envelope", []byte{0x0a, 0x05, 'x'}, wire.StatusBadRequest},
			{"oversized frame", make([]byte, wire.MaxLightPushFrame+1), wire.StatusPayloadTooLarge},
			{"message over 150 KiB", push(servicetest.Topic, huge), wire.StatusPayloadTooLarge},
			{"no message", push(servicetest.Topic, nil), wire.StatusBadRequest},
			{"malformed message", push(servicetest.Topic, []byte{0x12, 0x05}), wire.StatusBadRequest},
			{"unknown shard", push("/waku/2/rs/16/33", msg("x", ct)), wire.StatusUnsupportedPubsubTopic},
			{"other cluster", push("/waku/2/rs/1/32", msg("x", ct)), wire.StatusUnsupportedPubsubTopic},
			{"unparsable pubsub topic", push("/waku/2/whatever", msg("x", ct)), wire.StatusBadRequest},
			{"unparsable content topic", push(servicetest.Topic, msg("x", "nope")), wire.StatusBadRequest},
			{"no pubsub topic, no autosharding", push("", msg("x", ct)), wire.StatusBadRequest},
			{"valid", push(servicetest.Topic, msg("x", ct)), wire.StatusOK},
		} {
			b, err := servicetest.Exchange(ctx, c, server, protocols.LightPush, tc.body)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			resp, err := wire.DecodePushResponse(b)
			if err != nil || resp.StatusCode != tc.want {
				t.Errorf("%s: %+v %v, want %d", tc.name, resp, err, tc.want)
			}
		}
	})
}

// TestNoRelayPeers: without relay peers on the shard, v3 answers 505 and v2
// is_success false with the code in info.
func TestNoRelayPeers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := servicetest.New(t, servicetest.Config{Clients: 1, Budget: budget(t, slots.Reserved{Filter: 2, LightPush: 2}), NoRelayPeer: true})
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		server := r.Net.Node(servicetest.Server).ID()
		c := r.Client(0).Host
		if err := r.Connect(ctx, 0); err != nil {
			t.Fatal(err)
		}
		resp, err := servicetest.LightPush(ctx, c, server, wire.PushRequest{PubsubTopic: servicetest.Topic, HasPubsub: true, Message: msg("x", ct), HasMessage: true})
		if err != nil || resp.StatusCode != wire.StatusNoPeersToRelay {
			t.Fatalf("v3: %+v %v", resp, err)
		}
		v2, err := servicetest.LightPushV2(ctx, c, server, wire.PushRPC{RequestID: "q", HasRequest: true, PubsubTopic: servicetest.Topic, Message: msg("x", ct), HasMessage: true})
		if err != nil || v2.IsSuccess || !strings.HasPrefix(v2.Info, "505") || v2.RequestID != "q" {
			t.Fatalf("v2: %+v %v", v2, err)
		}
	})
}

// TestProtectedShardRefusesUnsigned: on a protected shard a message the
// validator refuses is 420, a signed one is relayed.
func TestProtectedShardRefusesUnsigned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		key, err := protected.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		v, err := protected.NewValidator(servicetest.Topic, key.Public())
		if err != nil {
			t.Fatal(err)
		}
		r := servicetest.New(t, servicetest.Config{Clients: 1, Budget: budget(t, slots.Reserved{Filter: 2, LightPush: 2}), Protected: v})
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		server := r.Net.Node(servicetest.Server).ID()
		c := r.Client(0).Host
		if err := r.Connect(ctx, 0); err != nil {
			t.Fatal(err)
		}
		resp, err := servicetest.LightPush(ctx, c, server, wire.PushRequest{PubsubTopic: servicetest.Topic, HasPubsub: true, Message: msg("x", ct), HasMessage: true})
		if err != nil || resp.StatusCode != wire.StatusInvalidMessage {
			t.Fatalf("unsigned: %+v %v", resp, err)
		}
		signer, err := protected.NewSigner(servicetest.Topic, key)
		if err != nil {
			t.Fatal(err)
		}
		m := protected.Message{Payload: []byte("signed"), ContentTopic: ct}
		if err := signer.Sign(&m, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err = servicetest.LightPush(ctx, c, server, wire.PushRequest{PubsubTopic: servicetest.Topic, HasPubsub: true, Message: m.Marshal(), HasMessage: true})
		if err != nil || resp.StatusCode != wire.StatusOK {
			t.Fatalf("signed: %+v %v", resp, err)
		}
	})
}

// TestV2Success: a status-go-like v2 client's push is relayed.
func TestV2Success(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := servicetest.New(t, servicetest.Config{Clients: 1, Budget: budget(t, slots.Reserved{Filter: 2, LightPush: 2})})
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		if err := r.Connect(ctx, 0); err != nil {
			t.Fatal(err)
		}
		v2, err := servicetest.LightPushV2(ctx, r.Client(0).Host, r.Net.Node(servicetest.Server).ID(),
			wire.PushRPC{RequestID: "q", HasRequest: true, PubsubTopic: servicetest.Topic, Message: msg("v2", ct), HasMessage: true})
		if err != nil || !v2.IsSuccess {
			t.Fatalf("v2: %+v %v", v2, err)
		}
		m, err := r.RelaySub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if dm, _ := protected.Unmarshal(m.Data); string(dm.Payload) != "v2" {
			t.Fatalf("relay got %q", dm.Payload)
		}
		if st := r.Push.Stats(); st.Relayed != 1 {
			t.Fatalf("%+v", st)
		}
	})
}
