package gossipsub_test

import (
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/host/eventbus"

	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
)

// In a node the tracer is installed with
// pubsub.NewGossipSub(ctx, h, tracer.Option()) and gossipsub calls it from
// its event loop; here the calls are made by hand.
func ExampleNewTracer() {
	tracker, _ := shardmesh.NewTracker()
	tracer, err := gossipsub.NewTracer(tracker)
	if err != nil {
		fmt.Println(err)
		return
	}
	topic := shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: 3}.PubsubTopic()
	tracer.Join(topic)
	tracer.Graft(peer.ID("peer-a"), topic)
	tracer.Join("/eth2/beacon_block") // not a Waku shard: counted, ignored
	fmt.Printf("%+v\n", tracker.Snapshot())
	fmt.Println(tracker.Stats().ForeignTopics)

	tracer.OnClosedOutboundStream(peer.ID("peer-a")) // the peer went away
	fmt.Println(tracker.NodeHealth().Health)
	// Output:
	// [{Shard:/waku/2/rs/1/3 MeshPeers:1 OutboundMeshPeers:0 LowScoreMeshPeers:0 Health:minimally_healthy}]
	// 1
	// unhealthy
}

// Health changes on the host's event bus (h.EventBus() in a node).
func ExampleNewBusEmitter() {
	tracker, _ := shardmesh.NewTracker()
	bus := eventbus.NewBus()
	sub, _ := bus.Subscribe(new(gossipsub.EvtShardHealthChanged))
	defer sub.Close()
	emitter, err := gossipsub.NewBusEmitter(tracker, bus)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer emitter.Close()

	shard := shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: 3}
	tracker.Join(shard)
	fmt.Printf("%+v\n", <-sub.Out())
	tracker.Graft("peer-a", shard)
	fmt.Printf("%+v\n", <-sub.Out())
	// Output:
	// {Shard:/waku/2/rs/1/3 Joined:true Health:unhealthy}
	// {Shard:/waku/2/rs/1/3 Joined:true Health:minimally_healthy}
}
