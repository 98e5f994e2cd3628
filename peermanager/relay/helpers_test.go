package relay

import (
	"fmt"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

var t0 = time.Unix(1_700_000_000, 0)

func pid(i int) peerid.ID { return peerid.ID(fmt.Sprintf("peer-%05d", i)) }

// twn is shard index i of The Waku Network, the presets' cluster.
func twn(i uint16) shardmesh.Shard { return shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: i} }

func shards(idx ...uint16) shardmesh.ShardSet {
	s, err := shardmesh.ShardSetOf(idx...)
	if err != nil {
		panic(err)
	}
	return s
}

func enrPeer(i int, cluster uint16, caps shardmesh.Capabilities, idx ...uint16) book.DiscoveredPeer {
	return book.DiscoveredPeer{ID: pid(i), Origin: book.OriginDiscv5, HasENR: true, Cluster: cluster,
		HasShards: true, Shards: shards(idx...), Caps: caps}
}

// subscribedCore returns a core for cfg subscribed at t0 to the given
// shard indexes of The Waku Network; an invalid cfg fails the test.
func subscribedCore(t *testing.T, cfg Config, idx ...uint16) *Core {
	t.Helper()
	core, err := NewCore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range idx {
		core.Step(Subscribed{Shard: twn(i)}, t0)
	}
	return core
}
