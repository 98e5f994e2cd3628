package shardmesh_test

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"
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

func ExampleRelayShardsFromRecord() {
	// A waku.test fleet node (go-waku protocol/enr/enr_test.go).
	node := enode.MustParse("enr:-QESuEC1p_s3xJzAC_XlOuuNrhVUETmfhbm1wxRGis0f7DlqGSw2FM-p2Ugl_r25UHQJ3f1rIRrpzxJXSMaJe4yk1XFSAYJpZIJ2NIJpcISygI2rim11bHRpYWRkcnO4XAArNiZub2RlLTAxLmRvLWFtczMud2FrdS50ZXN0LnN0YXR1c2ltLm5ldAZ2XwAtNiZub2RlLTAxLmRvLWFtczMud2FrdS50ZXN0LnN0YXR1c2ltLm5ldAYfQN4DgnJzkwABCAAAAAEAAgADAAQABQAGAAeJc2VjcDI1NmsxoQJATXRSRSUyTw_QLB6H_U3oziVQgNRgrXpK7wp2AMyNxYN0Y3CCdl-DdWRwgiMohXdha3UyDw")
	rs, err := shardmesh.RelayShardsFromRecord(node.Record())
	fmt.Println(rs.Cluster, rs.Indices, err)
	caps, _ := shardmesh.CapabilitiesFromRecord(node.Record())
	fmt.Println(caps, caps.Has(shardmesh.CapRelay|shardmesh.CapStore))
	addrs, _ := shardmesh.MultiaddrsFromRecord(node.Record())
	fmt.Println(addrs[1])

	// A record without Waku keys: tell "absent" from "malformed".
	_, err = shardmesh.RelayShardsFromRecord(new(enr.Record))
	fmt.Println(errors.Is(err, shardmesh.ErrFieldAbsent))
	// Output:
	// 1 [0 1 2 3 4 5 6 7] <nil>
	// relay,store,filter,lightpush true
	// /dns4/node-01.do-ams3.waku.test.statusim.net/tcp/8000/wss
	// true
}

func ExampleSetRelayShards() {
	var r enr.Record
	_ = shardmesh.SetRelayShards(&r, shardmesh.RelayShards{Cluster: 16, Indices: []uint16{32, 1}})
	r.Set(shardmesh.CapRelay | shardmesh.CapFilter)
	// Sign with the node key (enode.SignV4) before publishing.

	rs, _ := shardmesh.RelayShardsFromRecord(&r)
	fmt.Println(rs.Cluster, rs.Indices, shardmesh.HasBothShardKeys(&r))

	b, _ := shardmesh.RelayShards{Cluster: 16, Indices: []uint16{13, 14, 45}}.EncodeRS()
	fmt.Printf("rs value %x\n", b)
	// Output:
	// 16 [1 32] false
	// rs value 001003000d000e002d
}
