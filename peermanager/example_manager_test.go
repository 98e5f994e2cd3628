package peermanager_test

import (
	"context"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"

	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
	"github.com/wakupm/wakupm/slots"
)

// What a go-libp2p Waku node adds to embed the relay peer manager: a mesh
// tracker installed in gossipsub, the connection budget, a discoverer
// (peermanager.Discoverer; none here) and the Manager. The manager follows
// the shards gossipsub joins through the tracker.
func ExampleNewManager() {
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/udp/0/quic-v1"))
	if err != nil {
		panic(err)
	}
	defer h.Close()
	tracker, _ := shardmesh.NewTracker(shardmesh.WithCluster(shardmesh.ClusterTWN))
	// WithNetwork: the tracker forgets a peer when its last connection closes.
	tracer, _ := gossipsub.NewTracer(tracker, gossipsub.WithNetwork(h.Network()))
	defer tracer.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ps, err := pubsub.NewGossipSub(ctx, h, tracer.Option())
	if err != nil {
		panic(err)
	}
	budget, _ := slots.NewBudget(50)
	m, err := peermanager.NewManager(h,
		peermanager.WithConfig(relay.DefaultConfig()), // cluster 1, The Waku Network
		peermanager.WithBudget(budget),
		peermanager.WithTracker(tracker))
	if err != nil {
		panic(err)
	}
	if err := m.Start(); err != nil {
		panic(err)
	}
	defer m.Close()
	for _, s := range []uint16{0, 3} {
		topic, _ := ps.Join(shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: s}.PubsubTopic())
		sub, _ := topic.Subscribe()
		defer sub.Cancel()
	}

	// The manager now dials toward Dlo relay peers on shards 0 and 3.
	for len(m.Snapshot().Shards) < 2 {
		time.Sleep(10 * time.Millisecond)
	}
	snap := m.Snapshot()
	fmt.Println("config:", snap.Name, "relay targets from the budget:", budget.RelayInbound, budget.RelayOutbound)
	for _, s := range snap.Shards {
		fmt.Printf("shard %d: %d connected relay peers\n", s.Shard.Index, s.Inbound+s.Outbound)
	}
	// Output:
	// config: wakupm relay targets from the budget: 20 10
	// shard 0: 0 connected relay peers
	// shard 3: 0 connected relay peers
}
