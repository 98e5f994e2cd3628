package peermanager_test

import (
	"context"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/discovery"
	"github.com/wakupm/wakupm/shardmesh"
)

func TestSourceDiscovererFiltersByShardAndConverts(t *testing.T) {
	on := func(idx ...uint16) shardmesh.ShardSet { s, _ := shardmesh.ShardSetOf(idx...); return s }
	addr := ma.StringCast("/ip4/192.0.2.9/udp/60000/quic-v1")
	cands := []discovery.Candidate{
		{AddrInfo: peer.AddrInfo{ID: "on3", Addrs: []ma.Multiaddr{addr}}, ShardsKnown: true, Cluster: 1, Shards: on(3, 4), Capabilities: shardmesh.CapRelay},
		{AddrInfo: peer.AddrInfo{ID: "on5", Addrs: []ma.Multiaddr{addr}}, ShardsKnown: true, Cluster: 1, Shards: on(5), Capabilities: shardmesh.CapRelay},
		{AddrInfo: peer.AddrInfo{ID: "unknown", Addrs: []ma.Multiaddr{addr}}},
	}
	d := peermanager.SourceDiscoverer(discovery.NewStatic(cands...))
	got := map[peerid.ID]book.DiscoveredPeer{}
	err := d.FindPeers(context.Background(), shardmesh.Shard{Cluster: 1, Index: 3}, 10, func(p book.DiscoveredPeer, addrs []ma.Multiaddr) {
		if len(addrs) != 1 {
			t.Errorf("%s: %d addresses", p.ID, len(addrs))
		}
		got[p.ID] = p
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got["on5"]; ok || len(got) != 2 {
		t.Fatalf("found %v, want on3 and the peer of unknown shards", got)
	}
	p := got["on3"]
	if !p.HasShards || p.Shards != on(3, 4) || p.Origin != book.OriginStatic || p.IP.String() != "192.0.2.9" {
		t.Errorf("on3 converted to %+v", p)
	}
	if u := got["unknown"]; u.HasShards || u.HasENR {
		t.Errorf("a peer known by address only converted to %+v", u)
	}
	if err := d.FindPeers(context.Background(), shardmesh.Shard{Cluster: 1, Index: 2000}, 1, func(book.DiscoveredPeer, []ma.Multiaddr) {}); err == nil {
		t.Error("shard 2000 accepted")
	}
}
