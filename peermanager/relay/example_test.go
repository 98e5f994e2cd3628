package relay_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// A shell feeds the core events with the current time and carries out the
// actions it returns; here a subscription, a discovered peer, the dial's
// success and the identify and metadata results.
func ExampleCore() {
	core, err := relay.NewCore(relay.WakupmPreset())
	if err != nil {
		panic(err)
	}
	now := time.Unix(0, 0)
	shard := shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: 3}
	on3, _ := shardmesh.ShardSetOf(3)
	step := func(ev relay.Event) {
		for _, a := range core.Step(ev, now) {
			fmt.Println(a)
		}
	}
	step(relay.Subscribed{Shard: shard})
	step(relay.PeerDiscovered{Peer: book.DiscoveredPeer{ID: "alice", Origin: book.OriginDiscv5,
		HasENR: true, Cluster: shardmesh.ClusterTWN, HasShards: true, Shards: on3, Caps: shardmesh.CapRelay}})
	alice := peerid.ID("alice")
	step(relay.PeerConnected{ID: alice, Direction: book.Outbound, IP: netip.MustParseAddr("192.0.2.1")})
	step(relay.DialSucceeded{ID: alice})
	step(relay.PeerIdentified{ID: alice, Protocols: []string{protocols.Relay}})
	step(relay.MetadataReceived{ID: alice, Cluster: shardmesh.ClusterTWN, Shards: on3})
	total, outbound := core.ConnectedOnShard(shard)
	fmt.Println("shard 3:", total, "connected,", outbound, "outbound, floor", core.Floor(shard))
	// Output:
	// discover 3 8
	// notice shard-below-floor 3
	// dial alice
	// shard 3: 1 connected, 1 outbound, floor 4
}
