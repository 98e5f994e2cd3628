package shardmesh_test

import (
	"fmt"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// A Tracker fed by hand (in a node, the Tracer feeds it from gossipsub), and
// a subscriber reading coalesced health changes.
func ExampleTracker() {
	tracker, err := shardmesh.NewTracker() // nwaku thresholds: 1 and Dlo = 4
	if err != nil {
		fmt.Println(err)
		return
	}
	shard := shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: 2}
	sub := tracker.Subscribe()
	defer sub.Close()

	tracker.Join(shard)
	tracker.SetDirection("peer-a", shardmesh.Outbound)
	for _, p := range []string{"peer-a", "peer-b", "peer-c", "peer-d"} {
		tracker.Graft(peerid.ID(p), shard)
	}
	fmt.Printf("%+v\n", tracker.Snapshot()[0])

	// The subscriber was not reading: it gets the latest level only.
	<-sub.Ready()
	fmt.Printf("%+v\n", sub.Next(nil))

	tracker.PeerGone("peer-b") // disconnects leave every mesh, without a Prune
	fmt.Printf("%+v\n", sub.Next(nil))
	fmt.Printf("%+v\n", tracker.NodeHealth())
	// Output:
	// {Shard:/waku/2/rs/1/2 MeshPeers:4 OutboundMeshPeers:1 LowScoreMeshPeers:0 Health:sufficiently_healthy}
	// [{Shard:/waku/2/rs/1/2 Joined:true Health:sufficiently_healthy}]
	// [{Shard:/waku/2/rs/1/2 Joined:true Health:minimally_healthy}]
	// {Health:minimally_healthy Shards:1 Unhealthy:0 MinimallyHealthy:1 SufficientlyHealthy:0}
}
