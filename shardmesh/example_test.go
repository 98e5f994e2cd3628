package shardmesh_test

import (
	"errors"
	"fmt"

	"github.com/wakupm/wakupm/shardmesh"
)

func ExampleParsePubsubTopic() {
	s, err := shardmesh.ParsePubsubTopic("/waku/2/rs/16/32")
	fmt.Println(s.Cluster, s.Index, err)

	_, err = shardmesh.ParsePubsubTopic("/waku/2/default-waku/proto")
	var te *shardmesh.TopicError
	if errors.As(err, &te) {
		fmt.Println(te.Reason)
	}
	// Output:
	// 16 32 <nil>
	// named sharding is retired; use /waku/2/rs/<cluster>/<shard>
}

func ExampleAutoShard() {
	// The Waku Network: cluster 1, 8 shards.
	s, err := shardmesh.AutoShard("/toychat/2/huilong/proto", shardmesh.ClusterTWN, shardmesh.TWNShardCount)
	fmt.Println(s, err)

	_, err = shardmesh.AutoShard("/1/toychat/2/huilong/proto", shardmesh.ClusterTWN, shardmesh.TWNShardCount)
	fmt.Println(err)
	// Output:
	// /waku/2/rs/1/3 <nil>
	// shardmesh: invalid content topic "/1/toychat/2/huilong/proto": only generation 0 is supported
}

func ExampleShardSet() {
	ours, _ := shardmesh.ShardSetOf(0, 1, 2, 3)
	theirs, _ := shardmesh.ShardSetOf(3, 4, 700)
	fmt.Println(ours.Intersects(theirs), ours.Intersect(theirs), ours.Union(theirs).Len())
	for i := range theirs.All() {
		fmt.Print(i, " ")
	}
	fmt.Println()
	// Output:
	// true {3} 6
	// 3 4 700
}
