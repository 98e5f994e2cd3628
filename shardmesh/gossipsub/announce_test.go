package gossipsub_test

import (
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
)

// TestTracerHearsAnnouncementsOnRealGossipSub: host 0 learns from real
// gossipsub hellos and SUBSCRIBE/UNSUBSCRIBE that host 1 joined shard 1
// and host 2 (a node that advertises shards elsewhere but joins no topic)
// joined none, and follows host 1 joining and leaving shard 2.
func TestTracerHearsAnnouncementsOnRealGossipSub(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		var tracker *shardmesh.Tracker
		nw := simhost.NewT(t, 3, simhost.WithNodePubsubOptions(func(n *simhost.Node) []pubsub.Option {
			if n.Index != 0 {
				return nil
			}
			var err error
			if tracker, err = shardmesh.NewTracker(); err != nil {
				t.Fatal(err)
			}
			tracer, err := gossipsub.NewTracer(tracker)
			if err != nil {
				t.Fatal(err)
			}
			return []pubsub.Option{tracer.Option()}
		}))
		join := func(i int, s uint16) (*pubsub.Topic, *pubsub.Subscription) {
			topic, err := nw.Node(i).PubSub.Join(shardmesh.Shard{Cluster: 1, Index: s}.PubsubTopic())
			if err != nil {
				t.Fatal(err)
			}
			sub, err := topic.Subscribe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(sub.Cancel)
			return topic, sub
		}
		join(1, 1)
		for _, to := range []int{1, 2} {
			if err := nw.Connect(t.Context(), 0, to); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Second)
		honest, liar := peerid.ID(nw.Node(1).ID()), peerid.ID(nw.Node(2).ID())
		if set, heard := tracker.Announced(honest, 1); !heard || set.Len() != 1 || !set.Contains(1) {
			t.Fatalf("honest host: %v, heard %v; want [1], heard", set.Indexes(), heard)
		}
		if set, heard := tracker.Announced(liar, 1); !heard || !set.Empty() {
			t.Fatalf("host in no topic: %v, heard %v; want nothing, heard (it speaks gossipsub)", set.Indexes(), heard)
		}
		second, sub := join(1, 2)
		time.Sleep(time.Second)
		if set, _ := tracker.Announced(honest, 1); set.Len() != 2 {
			t.Fatalf("after joining shard 2: %v", set.Indexes())
		}
		sub.Cancel()
		if err := second.Close(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if set, _ := tracker.Announced(honest, 1); set.Len() != 1 || !set.Contains(1) {
			t.Fatalf("after leaving shard 2: %v, want [1]", set.Indexes())
		}
	})
}
