package enrpeer_test

import (
	"net"
	"testing"
	"testing/synctest"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/peermanager/selector/enrpeer"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/enr"
)

// One call from a signed Waku record to a selectable peer: id, dial
// address in the host's peerstore, cluster, shards and capabilities.
func TestAddENR(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 1, simhost.WithoutPubsub())
		sel, err := selector.New(selector.WithHost(nw.Node(0).Host), selector.WithConfig(selection.StatusPreset()))
		require.NoError(t, err)
		defer sel.Close()

		key, err := crypto.GenerateKey()
		require.NoError(t, err)
		var r gethenr.Record
		r.Set(gethenr.IPv4(net.IP{1, 2, 3, 4}))
		r.Set(gethenr.TCP(60000))
		require.NoError(t, enr.SetRelayShards(&r, enr.RelayShards{Cluster: 16, Indices: []uint16{32, 64}}))
		r.Set(enr.Waku2(shardmesh.CapStore | shardmesh.CapFilter))
		require.NoError(t, enode.SignV4(&r, key))
		n, err := enode.New(enode.ValidSchemes, &r)
		require.NoError(t, err)

		id, err := enrpeer.AddENR(sel, n, book.OriginPeerExchange)
		require.NoError(t, err)
		addrs := nw.Node(0).Host.Peerstore().Addrs(id)
		require.Len(t, addrs, 1)
		require.Equal(t, "/ip4/1.2.3.4/tcp/60000", addrs[0].String())
		got, err := sel.Select(t.Context(), selection.ForShard(protocols.Store, shardmesh.Shard{Cluster: 16, Index: 64}, 1))
		require.NoError(t, err)
		require.Equal(t, id, got[0])
	})
}
