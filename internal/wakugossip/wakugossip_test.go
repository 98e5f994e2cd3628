package wakugossip_test

import (
	"crypto/sha256"
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/protocols"
)

func TestParamsAreWaku(t *testing.T) {
	p := wakugossip.Params()
	got := [...]int{p.D, p.Dlo, p.Dhi, p.Dout, p.Dlazy, p.Dscore}
	if want := [...]int{6, 4, 8, 2, 6, 6}; got != want {
		t.Errorf("D, Dlo, Dhi, Dout, Dlazy, Dscore = %v, want %v", got, want)
	}
	if p.HeartbeatInterval.Seconds() != 1 || p.PruneBackoff.Minutes() != 1 {
		t.Errorf("heartbeat %v, prune backoff %v; want 1s, 1m", p.HeartbeatInterval, p.PruneBackoff)
	}
}

func TestMessageIDIsSHA256OfData(t *testing.T) {
	data := []byte("payload")
	want := sha256.Sum256(data)
	seq := []byte{1, 2, 3}
	m := &pb.Message{Data: data, From: []byte("someone"), Seqno: seq}
	if got := wakugossip.MessageID(m); got != string(want[:]) {
		t.Errorf("MessageID = %x, want %x", got, want)
	}
}

// TestOptionsAcceptedByGossipSub builds a real GossipSub with the Waku
// options and peer scoring: go-libp2p-pubsub validates the parameters (it
// rejects Dout=3 with D=6) and the score parameters at construction.
func TestOptionsAcceptedByGossipSub(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 1, simhost.WithPubsubOptions(func(int) []pubsub.Option {
			return []pubsub.Option{wakugossip.PeerScoring("/waku/2/rs/1/0", "/waku/2/rs/1/1")}
		}))
		if nw.Node(0).PubSub == nil {
			t.Fatal("no pubsub")
		}
	})
	bad := wakugossip.Params()
	bad.Dout = 3 // the 29/WAKU2-CONFIG value
	// Outside a bubble: when NewGossipSub fails, go-libp2p-pubsub v0.19 leaves
	// the router's address-book goroutine running, which synctest reports as a
	// deadlock. This package has no goroutines of its own and no goleak check.
	_, err := simhost.New(1, simhost.WithPubsubOptions(func(int) []pubsub.Option {
		return []pubsub.Option{pubsub.WithGossipSubParams(bad)}
	}))
	if err == nil {
		t.Fatal("GossipSub accepted Dout=3 with D=6; the Dout comment in params.go is stale")
	}
}

// TestRelayProtocolAnnouncedAndMeshes: a host with RelayProtocol lists the
// Waku relay id, and meshes with a host that speaks only the default ids.
func TestRelayProtocolAnnouncedAndMeshes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 2, simhost.WithPubsubOptions(func(i int) []pubsub.Option {
			if i == 0 {
				return []pubsub.Option{wakugossip.RelayProtocol()}
			}
			return nil
		}))
		a, b := nw.Node(0), nw.Node(1)
		if err := nw.Connect(t.Context(), 1, 0); err != nil {
			t.Fatal(err)
		}
		const topic = "/waku/2/rs/1/0"
		ta, err := a.PubSub.Join(topic)
		if err != nil {
			t.Fatal(err)
		}
		sa, err := ta.Subscribe()
		if err != nil {
			t.Fatal(err)
		}
		defer sa.Cancel()
		tb, err := b.PubSub.Join(topic)
		if err != nil {
			t.Fatal(err)
		}
		sb, err := tb.Subscribe()
		if err != nil {
			t.Fatal(err)
		}
		defer sb.Cancel()
		time.Sleep(3 * time.Second)
		protos, err := b.Host.Peerstore().SupportsProtocols(a.ID(), protocols.Relay)
		if err != nil || len(protos) != 1 {
			t.Fatalf("the relay id is not announced: %v %v", protos, err)
		}
		if err := ta.Publish(t.Context(), []byte("hi")); err != nil {
			t.Fatal(err)
		}
		msg, err := sb.Next(t.Context())
		if err != nil || string(msg.Data) != "hi" {
			t.Fatalf("message across the two ids: %v %v", msg, err)
		}
	})
}
