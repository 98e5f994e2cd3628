package book_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// The book answers "which relay peers are on shard 3?" from its indexes.
func ExampleBook() {
	b, err := book.New(shardmesh.ClusterTWN)
	if err != nil {
		panic(err)
	}
	now := time.Unix(0, 0)
	on3, _ := shardmesh.ShardSetOf(3, 4)
	for _, id := range []peerid.ID{"alice", "bob"} {
		_, _ = b.Discover(book.DiscoveredPeer{
			ID: id, Origin: book.OriginDiscv5,
			HasENR: true, Cluster: shardmesh.ClusterTWN, HasShards: true, Shards: on3,
			Caps: shardmesh.CapRelay,
		}, now)
	}
	b.Connected("alice", book.Outbound, netip.MustParseAddr("192.0.2.1"), now)
	b.Identified("alice", []string{protocols.Relay}, now)

	relay := b.MustProtocol(protocols.Relay)
	shard3 := shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: 3}
	connected := b.Peers(relay, shard3, true)
	fmt.Println("connected relay peers on shard 3:", connected.Len(), "outbound:", connected.Outbound())
	candidates := b.Peers(relay, shard3, false)
	for i := range candidates.Len() {
		p := candidates.At(i)
		_, src := p.Shards()
		fmt.Println("candidate:", string(p.ID()), "origin:", p.Origin(), "shards from:", src)
	}
	// Output:
	// connected relay peers on shard 3: 1 outbound: 1
	// candidate: bob origin: discv5 shards from: enr
}
