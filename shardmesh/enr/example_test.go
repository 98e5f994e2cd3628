package enr_test

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/p2p/enode"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"

	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/enr"
)

func ExampleRelayShardsFromRecord() {
	// A waku.test fleet node (go-waku protocol/enr/enr_test.go).
	node := enode.MustParse("enr:-QESuEC1p_s3xJzAC_XlOuuNrhVUETmfhbm1wxRGis0f7DlqGSw2FM-p2Ugl_r25UHQJ3f1rIRrpzxJXSMaJe4yk1XFSAYJpZIJ2NIJpcISygI2rim11bHRpYWRkcnO4XAArNiZub2RlLTAxLmRvLWFtczMud2FrdS50ZXN0LnN0YXR1c2ltLm5ldAZ2XwAtNiZub2RlLTAxLmRvLWFtczMud2FrdS50ZXN0LnN0YXR1c2ltLm5ldAYfQN4DgnJzkwABCAAAAAEAAgADAAQABQAGAAeJc2VjcDI1NmsxoQJATXRSRSUyTw_QLB6H_U3oziVQgNRgrXpK7wp2AMyNxYN0Y3CCdl-DdWRwgiMohXdha3UyDw")
	rs, err := enr.RelayShardsFromRecord(node.Record())
	fmt.Println(rs.Cluster, rs.Indices, err)
	caps, _ := enr.CapabilitiesFromRecord(node.Record())
	fmt.Println(caps, caps.Has(shardmesh.CapRelay|shardmesh.CapStore))
	addrs, _ := enr.MultiaddrsFromRecord(node.Record())
	fmt.Println(addrs[1])

	// A record without Waku keys: tell "absent" from "malformed".
	_, err = enr.RelayShardsFromRecord(new(gethenr.Record))
	fmt.Println(errors.Is(err, enr.ErrFieldAbsent))
	// Output:
	// 1 [0 1 2 3 4 5 6 7] <nil>
	// relay,store,filter,lightpush true
	// /dns4/node-01.do-ams3.waku.test.statusim.net/tcp/8000/wss
	// true
}

func ExampleSetRelayShards() {
	var r gethenr.Record
	_ = enr.SetRelayShards(&r, enr.RelayShards{Cluster: 16, Indices: []uint16{32, 1}})
	r.Set(enr.Waku2(shardmesh.CapRelay | shardmesh.CapFilter))
	// Sign with the node key (enode.SignV4) before publishing.

	rs, _ := enr.RelayShardsFromRecord(&r)
	fmt.Println(rs.Cluster, rs.Indices, enr.HasBothShardKeys(&r))

	b, _ := enr.RelayShards{Cluster: 16, Indices: []uint16{13, 14, 45}}.EncodeRS()
	fmt.Printf("rs value %x\n", b)
	// Output:
	// 16 [1 32] false
	// rs value 001003000d000e002d
}
