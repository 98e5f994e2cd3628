package gossipsub

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"

	"github.com/wakupm/wakupm/shardmesh"
)

// tracerEvent is one graft ('g'), prune ('p') or closed stream ('x').
type tracerEvent struct {
	kind  byte
	peer  peer.ID
	topic string
}

// tracerWorkload is the workload of shardmesh's BenchmarkTrackerIngest, as
// tracer callbacks: a valid cyclic stream over 1k peers x 100 shards, about
// 45% grafts, 45% prunes and 10% disconnects, per-shard meshes of up to 12
// peers, ending with every peer gone.
func tracerWorkload() (shards []shardmesh.Shard, events []tracerEvent) {
	const peers, nShards, nEvents, meshHi = 1000, 100, 1 << 20, 12
	rng := rand.New(rand.NewPCG(1, 1))
	topics := make([]string, nShards)
	for i := range nShards {
		shards = append(shards, shardmesh.Shard{Cluster: 1, Index: uint16(i)})
		topics[i] = shards[i].PubsubTopic()
	}
	ids := make([]peer.ID, peers)
	for i := range ids {
		ids[i] = peer.ID(fmt.Sprintf("12D3KooWbenchpeer%06d", i))
	}
	mesh := make([][]int, nShards)
	events = make([]tracerEvent, 0, nEvents+peers)
	for len(events) < nEvents {
		s := rng.IntN(nShards)
		switch r := rng.IntN(100); {
		case r < 45 && len(mesh[s]) < meshHi:
			if p := rng.IntN(peers); !slices.Contains(mesh[s], p) {
				mesh[s] = append(mesh[s], p)
				events = append(events, tracerEvent{'g', ids[p], topics[s]})
			}
		case r < 90 && len(mesh[s]) > 0:
			i := rng.IntN(len(mesh[s]))
			events = append(events, tracerEvent{'p', ids[mesh[s][i]], topics[s]})
			mesh[s] = slices.Delete(mesh[s], i, i+1)
		case r >= 90:
			p := rng.IntN(peers)
			for s := range mesh {
				if i := slices.Index(mesh[s], p); i >= 0 {
					mesh[s] = slices.Delete(mesh[s], i, i+1)
				}
			}
			events = append(events, tracerEvent{kind: 'x', peer: ids[p]})
		}
	}
	for _, p := range ids {
		events = append(events, tracerEvent{kind: 'x', peer: p})
	}
	return shards, events
}

// BenchmarkTracerIngest is shardmesh's BenchmarkTrackerIngest workload
// through the RawTracer adapter, which parses the pubsub topic string of
// every event and converts the peer id.
//
//	go test -run '^$' -bench TracerIngest -benchmem -cpu 1 ./shardmesh/gossipsub/
func BenchmarkTracerIngest(b *testing.B) {
	shards, evs := tracerWorkload()
	tr, err := shardmesh.NewTracker()
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range shards {
		tr.Join(s)
	}
	rt, err := NewTracer(tr)
	if err != nil {
		b.Fatal(err)
	}
	run := func(from, n int) {
		for i := from; i < from+n; i++ {
			e := &evs[i%len(evs)]
			switch e.kind {
			case 'g':
				rt.Graft(e.peer, e.topic)
			case 'p':
				rt.Prune(e.peer, e.topic)
			case 'x':
				rt.OnClosedOutboundStream(e.peer)
			}
		}
	}
	run(0, len(evs)) // warm-up: tables reach working size
	b.ReportAllocs()
	b.ResetTimer()
	run(0, b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// subscriptions returns n SUBSCRIBE options for distinct shard topics
// spread over 100 clusters, as an attacker's hello might carry.
func subscriptions(n int) []*pb.RPC_SubOpts {
	subs := make([]*pb.RPC_SubOpts, n)
	for i := range subs {
		s := shardmesh.Shard{Cluster: uint16(i % 100), Index: uint16(i / 100 % shardmesh.ShardsPerCluster)}
		subs[i] = &pb.RPC_SubOpts{Subscribe: proto.Bool(true), Topicid: proto.String(s.PubsubTopic())}
	}
	return subs
}

// BenchmarkTracerRecvRPC measures the subscriptions of one RPC carrying
// 20,000 of them (≈ 450 KB, under gossipsub's control-message cap) from a
// peer that already sent them once, as RecvRPC handles them on gossipsub's
// event loop.
//
//	go test -run '^$' -bench TracerRecvRPC -benchmem ./shardmesh/gossipsub/
func BenchmarkTracerRecvRPC(b *testing.B) {
	tr, err := shardmesh.NewTracker(shardmesh.WithCluster(1))
	if err != nil {
		b.Fatal(err)
	}
	rt, err := NewTracer(tr)
	if err != nil {
		b.Fatal(err)
	}
	subs := subscriptions(20_000)
	rt.recvSubscriptions("attacker", subs)
	b.ReportAllocs()
	for b.Loop() {
		rt.recvSubscriptions("attacker", subs)
	}
}
