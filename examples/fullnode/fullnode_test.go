package main

import (
	"bytes"
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/discovery"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// Eight full nodes on simulated hosts, each wired by FullNode (relay
// Manager, tracer, gater, a discovery source, a Selector over the
// Manager's book): every node's relay shard reaches SufficientlyHealthy,
// node 0's own store and filter clients select peers they were never
// given (the Manager's discovery put them in the one book), the book
// holds the shards the Manager's metadata exchanges returned, and the host
// has one metadata handler.
func TestFullNodeOnSimulatedHosts(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		const count = 8
		nodes := make([]*FullNode, count)
		for i := range nodes {
			fn, err := NewFullNode(50)
			require.NoError(t, err)
			nodes[i] = fn
		}
		nw := simhost.NewT(t, count,
			simhost.WithPubsubOptions(func(i int) []pubsub.Option { return nodes[i].PubsubOptions() }),
			simhost.WithHostOptions(func(i int) []libp2p.Option { return []libp2p.Option{libp2p.ConnectionGater(nodes[i].Gater)} }))
		hosts := make([]host.Host, count)
		for i := range hosts {
			hosts[i] = nw.Node(i).Host
		}
		for i, fn := range nodes {
			serveAsServiceNode(hosts[i])
			require.NoError(t, fn.Start(hosts[i], shardOf.Cluster, discovery.NewStatic(others(hosts, i)...)))
			topic, err := nw.Node(i).PubSub.Join(shardOf.PubsubTopic())
			require.NoError(t, err)
			_, err = topic.Subscribe()
			require.NoError(t, err)
		}
		defer func() {
			for _, fn := range nodes {
				require.NoError(t, fn.Close())
			}
		}()

		start := time.Now()
		for i, fn := range nodes {
			for fn.Tracker.Health(shardOf) != shardmesh.SufficientlyHealthy {
				require.Less(t, time.Since(start), 3*time.Minute, "node %d not healthy", i)
				time.Sleep(time.Second)
			}
		}
		t.Logf("every node sufficiently healthy after %v (virtual)", time.Since(start))

		sel := nodes[0].Selector
		for _, proto := range []string{protocols.Store, protocols.FilterSubscribe} {
			ids, err := sel.Select(t.Context(), selection.ForShard(proto, shardOf, 0))
			require.NoError(t, err, proto)
			require.NotEmpty(t, ids)
			nodes[0].Manager.ReadBook(func(b *book.Book) {
				for _, id := range ids {
					p := b.Get(peerid.ID(id))
					require.NotNil(t, p, "%s peer %s is in the Manager's book", proto, id)
					shards, ok := p.MetadataShards()
					require.True(t, ok && shards.Contains(shardOf.Index), "shards from the Manager's metadata exchange")
				}
			})
		}
		handlers := 0
		for _, p := range hosts[0].Mux().Protocols() {
			if p == protocol.ID(protocols.Metadata) {
				handlers++
			}
		}
		require.Equal(t, 1, handlers, "one metadata handler on the host")
	})
}

func TestRunFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 2, runMain(context.Background(), []string{"-nodes", "2"}, &out, &errOut))
	require.Equal(t, 2, runMain(context.Background(), []string{"-x"}, &out, &errOut))
}
