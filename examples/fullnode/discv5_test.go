package main

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/internal/simdiscv5"
	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peermanager/discovery"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/enr"
)

// The same full nodes, found through discv5 (a listener per simulated
// host, node 0 the bootnode, records with rs and waku2) instead of a
// static list: the relay shard becomes sufficiently healthy everywhere and
// node 0's store client selects a peer discv5 found for the Manager.
func TestFullNodeWithDiscv5(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const count, seed = 8, 7
		nodes := make([]*FullNode, count)
		for i := range nodes {
			fn, err := NewFullNode(50)
			require.NoError(t, err)
			nodes[i] = fn
		}
		opts := append(simdiscv5.NetworkOptions(seed),
			simhost.WithPubsubOptions(func(i int) []pubsub.Option { return nodes[i].PubsubOptions() }),
			simhost.WithHostOptions(func(i int) []libp2p.Option { return []libp2p.Option{libp2p.ConnectionGater(nodes[i].Gater)} }))
		nw := simhost.NewT(t, count, opts...)
		// Runs last: goleveldb's drainer outlives the node database's Close.
		defer time.Sleep(simdiscv5.DatabaseDrain)
		var boot []*enode.Node
		for i, fn := range nodes {
			key, err := simdiscv5.Key(seed, i)
			require.NoError(t, err)
			l, err := simdiscv5.Listen(nw, i, simdiscv5.Config{Key: key, Bootnodes: boot, Record: func(ln *enode.LocalNode) error {
				ln.Set(enr.Waku2(shardmesh.CapRelay | shardmesh.CapStore | shardmesh.CapFilter))
				return enr.SetLocalNodeRelayShards(ln, enr.RelayShards{Cluster: shardOf.Cluster, Indices: []uint16{shardOf.Index}})
			}})
			require.NoError(t, err)
			defer l.Close()
			if i == 0 {
				boot = []*enode.Node{l.Record()}
			}
			src, err := discovery.NewDiscv5(l.Listener)
			require.NoError(t, err)
			defer src.Close()
			serveAsServiceNode(nw.Node(i).Host)
			require.NoError(t, fn.Start(nw.Node(i).Host, shardOf.Cluster, src))
			defer fn.Close()
			topic, err := nw.Node(i).PubSub.Join(shardOf.PubsubTopic())
			require.NoError(t, err)
			_, err = topic.Subscribe()
			require.NoError(t, err)
		}
		start := time.Now()
		for i, fn := range nodes {
			for fn.Tracker.Health(shardOf) != shardmesh.SufficientlyHealthy {
				require.Less(t, time.Since(start), 5*time.Minute, "node %d not healthy", i)
				time.Sleep(time.Second)
			}
		}
		t.Logf("every node sufficiently healthy after %v (virtual), through discv5", time.Since(start))
		ids, err := nodes[0].Selector.Select(t.Context(), selection.ForShard(protocols.Store, shardOf, 1))
		require.NoError(t, err)
		require.Len(t, ids, 1)
	})
}
