package selector_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// A light client (status-go-like) uses the selector on its own, without the
// relay manager: it adds service peers from discovery, asks for peers per
// (protocol, shard), and reports how each use went. Here the caller reports
// connections itself; WithHost makes the selector follow a libp2p
// host instead.
func ExampleSelector() {
	sel, err := selector.New(selector.WithConfig(selection.DefaultConfig()))
	if err != nil {
		panic(err)
	}
	defer sel.Close()

	shards, _ := shardmesh.ShardSetOf(3)
	for _, id := range []peer.ID{"node-a", "node-b", "node-c"} {
		_ = sel.AddPeer(book.DiscoveredPeer{
			ID: peerid.ID(id), Origin: book.OriginPeerExchange,
			HasENR: true, Cluster: shardmesh.ClusterTWN, HasShards: true, Shards: shards,
			Caps: shardmesh.CapFilter | shardmesh.CapLightPush,
		})
	}
	sel.PeerConnected("node-a", book.Outbound, netip.MustParseAddr("192.0.2.1"))
	sel.PeerConnected("node-b", book.Outbound, netip.MustParseAddr("192.0.2.2"))

	// Two light-push peers for the shard of a content topic: the connected
	// ones, and the same ones on every send until they fail.
	req := selection.ForContentTopic(protocols.LightPush, "/toychat/2/huilong/proto", 2)
	peers, _ := sel.Select(context.Background(), req)
	fmt.Println("light push through", len(peers), "peers, connected:", peers[0] != "node-c" && peers[1] != "node-c")

	// node-a answered 503 (no peers to relay): light push replaces after one
	// failure, with node-c, and leaves node-a alone for a while.
	_ = sel.Report("node-a", protocols.LightPush, selection.OutcomeOfStatus(503))
	for len(sel.Notifications()) > 0 { // notifications never block the selector; read them when convenient
		if e := <-sel.Notifications(); e.Kind == selection.NotifyPeerReplaced {
			fmt.Println(e.Kind, string(e.Peer), "->", string(e.Replacement), "because", e.Outcome)
		}
	}
	shard3 := shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: 3}
	for _, m := range sel.Pool(protocols.LightPush, shard3) {
		fmt.Println("pool member:", string(m.ID), "live:", m.Live)
	}
	// Output:
	// light push through 2 peers, connected: true
	// peer-replaced node-a -> node-c because unavailable
	// pool member: node-b live: true
	// pool member: node-c live: false
}
