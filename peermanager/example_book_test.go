package peermanager_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/shardmesh"
)

// The book answers "which relay peers are on shard 3?" from its indexes.
func ExampleBook() {
	book, err := peermanager.NewBook(shardmesh.ClusterTWN)
	if err != nil {
		panic(err)
	}
	now := time.Unix(0, 0)
	on3, _ := shardmesh.ShardSetOf(3, 4)
	for _, id := range []peer.ID{"alice", "bob"} {
		_, _ = book.Discover(peermanager.DiscoveredPeer{
			ID: id, Origin: peermanager.OriginDiscv5,
			HasENR: true, Cluster: shardmesh.ClusterTWN, HasShards: true, Shards: on3,
			Caps: shardmesh.CapRelay,
		}, now)
	}
	book.Connected("alice", peermanager.Outbound, netip.MustParseAddr("192.0.2.1"), now)
	book.Identified("alice", []protocol.ID{peermanager.ProtocolRelay}, now)

	relay := book.MustProtocol(peermanager.ProtocolRelay)
	connected := book.Peers(relay, 3, true)
	fmt.Println("connected relay peers on shard 3:", connected.Len(), "outbound:", connected.Outbound())
	candidates := book.Peers(relay, 3, false)
	for i := range candidates.Len() {
		p := candidates.At(i)
		_, src := p.Shards()
		fmt.Println("candidate:", string(p.ID()), "origin:", p.Origin(), "shards from:", src)
	}
	// Output:
	// connected relay peers on shard 3: 1 outbound: 1
	// candidate: bob origin: discv5 shards from: enr
}
