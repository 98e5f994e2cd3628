package peerexchange_test

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peermanager/peerexchange"
	"github.com/wakupm/wakupm/shardmesh"
	wakuenr "github.com/wakupm/wakupm/shardmesh/enr"
)

// record makes a signed Waku ENR advertising relay on the given shards.
func record(cluster uint16, shards ...uint16) *enode.Node {
	key, _ := crypto.GenerateKey()
	var r enr.Record
	r.Set(enr.IPv4{127, 0, 0, 1})
	r.Set(enr.TCP(60000))
	r.Set(wakuenr.Waku2(shardmesh.CapRelay))
	_ = wakuenr.SetRelayShards(&r, wakuenr.RelayShards{Cluster: cluster, Indices: shards})
	_ = enode.SignV4(&r, key)
	n, _ := enode.New(enode.ValidSchemes, &r)
	return n
}

// A service node serves records from its discv5 cache; a client asks for
// peers and keeps only those on shard /waku/2/rs/16/32.
func Example() {
	ctx := context.Background()
	cache := []*enode.Node{record(16, 32, 64), record(16, 5), record(1, 32)}

	server, _ := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	defer server.Close()
	px, _ := peerexchange.NewServer(server, func(max int) []*enode.Node { return cache[:min(max, len(cache))] })
	px.Start()
	defer px.Close()

	client, _ := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	defer client.Close()
	if err := client.Connect(ctx, peer.AddrInfo{ID: server.ID(), Addrs: server.Addrs()}); err != nil {
		fmt.Println(err)
		return
	}
	c, _ := peerexchange.NewClient(client)
	want := shardmesh.Shard{Cluster: 16, Index: 32}
	res, err := c.Request(ctx, server.ID(), 10, func(n *enode.Node) bool {
		rs, err := wakuenr.RelayShardsFromRecord(n.Record())
		return err == nil && rs.Contains(want)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("received %d, kept %d, rejected %d, invalid %d\n", res.Received, len(res.Nodes), res.Rejected, res.Invalid)
	fmt.Println(res.Nodes[0].ID() == cache[0].ID())
	// Output:
	// received 3, kept 1, rejected 2, invalid 0
	// true
}
