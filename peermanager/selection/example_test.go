package selection_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// A shell of its own drives the Core: it records what it learns in the
// book, tells the Core with PeerUpdated, asks for peers, reports how each
// use went and reads the notifications. Time is passed in, last.
func ExampleCore() {
	now := time.Unix(1_700_000_000, 0)
	b, err := book.New(shardmesh.ClusterTWN)
	if err != nil {
		panic(err)
	}
	core, err := selection.NewCore(b, selection.DefaultConfig())
	if err != nil {
		panic(err)
	}
	shards, _ := shardmesh.ShardSetOf(3)
	for _, id := range []peerid.ID{"node-a", "node-b", "node-c"} {
		_, _ = b.Discover(book.DiscoveredPeer{ID: id, Origin: book.OriginPeerExchange, HasENR: true,
			Cluster: shardmesh.ClusterTWN, HasShards: true, Shards: shards,
			Caps: shardmesh.CapFilter | shardmesh.CapLightPush}, now)
		core.PeerUpdated(id, now)
	}
	for _, id := range []peerid.ID{"node-a", "node-b"} {
		b.Connected(id, book.Outbound, netip.Addr{}, now)
		core.PeerUpdated(id, now)
	}

	shard := shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: 3}
	peers, _ := core.Select(selection.ForShard(protocols.LightPush, shard, 2), now)
	fmt.Println("light push through", len(peers), "connected peers:", peers[0] != "node-c" && peers[1] != "node-c")

	// node-a answers 503: light push replaces after one failure and benches
	// node-a for the protocol.
	_ = core.Report("node-a", protocols.LightPush, selection.OutcomeOfStatus(503), now)
	for _, n := range core.Notifications() {
		if n.Kind == selection.NotifyPeerReplaced {
			fmt.Println(n.Kind, string(n.Peer), "->", string(n.Replacement), "because", n.Outcome)
		}
	}
	until, _ := core.BenchedUntil("node-a", protocols.LightPush, now)
	fmt.Println("node-a benched for", until.Sub(now))
	// Output:
	// light push through 2 connected peers: true
	// peer-replaced node-a -> node-c because unavailable
	// node-a benched for 2m0s
}
