package peermanager

import (
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

var t0 = time.Unix(1_700_000_000, 0)

func pid(i int) peer.ID { return peer.ID(fmt.Sprintf("peer-%05d", i)) }

// rpid is pid for the relay core, which names peers by peerid.ID.
func rpid(i int) peerid.ID { return peerid.ID(pid(i)) }

func enrPeer(i int, cluster uint16, caps shardmesh.Capabilities, idx ...uint16) book.DiscoveredPeer {
	return book.DiscoveredPeer{ID: rpid(i), Origin: book.OriginDiscv5, HasENR: true, Cluster: cluster,
		HasShards: true, Shards: shards(idx...), Caps: caps}
}

func newTestBook(t testing.TB, opts ...book.Option) *book.Book {
	t.Helper()
	b, err := book.New(1, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// twn is shard index i of The Waku Network, cluster 1.
func twn(i uint16) shardmesh.Shard { return shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: i} }

func shards(idx ...uint16) shardmesh.ShardSet {
	s, err := shardmesh.ShardSetOf(idx...)
	if err != nil {
		panic(err)
	}
	return s
}
