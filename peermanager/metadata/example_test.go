package metadata_test

import (
	"context"
	"fmt"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/shardmesh"
)

// Two nodes exchange metadata over loopback; the requester decides what to do
// with the answer.
func Example() {
	ctx := context.Background()
	status, _ := shardmesh.ShardSetOf(32, 64)
	twn, _ := shardmesh.ShardSetOf(0, 1)

	a, _ := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	defer a.Close()
	b, _ := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	defer b.Close()

	// Each node mounts the responder with its own cluster and shards.
	svcA, _ := metadata.NewService(a, shardmesh.ClusterStatus,
		metadata.WithShards(func() shardmesh.ShardSet { return status }))
	svcA.Start()
	defer svcA.Close()
	svcB, _ := metadata.NewService(b, shardmesh.ClusterTWN,
		metadata.WithShards(func() shardmesh.ShardSet { return twn }))
	svcB.Start()
	defer svcB.Close()

	if err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
		fmt.Println(err)
		return
	}
	md, err := svcA.Request(ctx, b.ID())
	cluster, _ := md.ClusterID()
	fmt.Println("b is on cluster", cluster, "shards", md.Shards)

	d := metadata.DefaultPolicy(shardmesh.ClusterStatus, status).Decide(md, err)
	fmt.Println(d.Action, "-", d.Reason)
	if d.Action == metadata.Disconnect {
		_ = a.Network().ClosePeer(b.ID())
	}
	// Output:
	// b is on cluster 1 shards {0,1}
	// disconnect - cluster mismatch
}
