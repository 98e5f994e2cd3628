package enrpeer_test

import (
	"context"
	"fmt"
	"net"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/peermanager/selector/enrpeer"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/enr"
)

// A store node's record, from peer exchange, becomes a selectable store
// peer of Status's shard 32 in one call.
func ExampleAddENR() {
	key, _ := crypto.GenerateKey()
	var r gethenr.Record
	r.Set(gethenr.IPv4(net.IP{192, 0, 2, 1}))
	r.Set(gethenr.TCP(30303))
	_ = enr.SetRelayShards(&r, enr.RelayShards{Cluster: 16, Indices: []uint16{32}})
	r.Set(enr.Waku2(shardmesh.CapStore))
	_ = enode.SignV4(&r, key)
	node, _ := enode.New(enode.ValidSchemes, &r)

	sel, _ := selector.New(selector.WithConfig(selection.StatusPreset()))
	defer sel.Close()
	id, err := enrpeer.AddENR(sel, node, book.OriginPeerExchange)
	fmt.Println("added:", err == nil)
	got, err := sel.Select(context.Background(), selection.ForShard(protocols.Store, shardmesh.Shard{Cluster: 16, Index: 32}, 1))
	fmt.Println("selected it:", err == nil && got[0] == id)
	// Output:
	// added: true
	// selected it: true
}
