package metrics_test

import (
	"fmt"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	"github.com/wakupm/wakupm/metrics"
)

// A node installs one BandwidthTracer in gossipsub and registers a
// collector over it; the tracer splits every RPC by message type and shard.
func ExampleBandwidthTracer() {
	tracer, err := metrics.NewBandwidthTracer()
	if err != nil {
		panic(err)
	}
	_ = pubsub.WithRawTracer(tracer) // pass to pubsub.NewGossipSub

	collector, err := metrics.NewBandwidthCollector(tracer)
	if err != nil {
		panic(err)
	}
	prometheus.NewRegistry().MustRegister(collector)

	// What gossipsub would report after writing one RPC: a 100-byte message
	// on shard 1/3 with a GRAFT piggybacked.
	topic := "/waku/2/rs/1/3"
	rpc := &pubsub.RPC{RPC: pb.RPC{
		Publish: []*pb.Message{{Data: make([]byte, 100), Topic: proto.String(topic)}},
		Control: &pb.ControlMessage{Graft: []*pb.ControlGraft{{TopicID: proto.String(topic)}}},
	}}
	tracer.SendRPCCompleted(rpc, "", 0)

	snap := tracer.BandwidthSnapshot()
	for _, r := range snap.Gossip {
		fmt.Printf("%s %-8s shard=%v bytes=%d\n", r.Direction, r.Type, r.HasShard, r.Bytes)
	}
	fmt.Println("total out:", snap.GossipTotal(metrics.DirectionOut))
	// Output:
	// out data     shard=true bytes=120
	// out graft    shard=true bytes=18
	// out overhead shard=false bytes=4
	// total out: 142
}
