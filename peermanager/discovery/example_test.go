package discovery_test

import (
	"context"
	"fmt"

	"github.com/wakupm/wakupm/peermanager/discovery"
	"github.com/wakupm/wakupm/shardmesh"
)

// The relay Manager's side of the interface: on a discover action it calls
// Find and turns each candidate into a "peer discovered" event; the closed
// channel means the search is over.
func Example() {
	static, err := discovery.StaticAddrs(
		"/ip4/10.0.0.1/tcp/60000/p2p/16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ",
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	// In a node: discovery.NewUnion([]discovery.Source{static, px, discv5}).
	var src discovery.Source = discovery.NewStatic(static...)

	wanted, _ := shardmesh.ShardSetOf(32)
	found, err := src.Find(context.Background(), discovery.Request{
		Cluster:      shardmesh.ClusterStatus,
		Shards:       wanted,
		Capabilities: shardmesh.CapRelay,
		N:            5,
	})
	if err != nil { // ErrBusy: try again later
		fmt.Println(err)
		return
	}
	for c := range found {
		fmt.Println(c.Origin, c.AddrInfo.Addrs, "shards known:", c.ShardsKnown)
	}
	fmt.Println("discovery done")
	// Output:
	// static [/ip4/10.0.0.1/tcp/60000] shards known: false
	// discovery done
}
