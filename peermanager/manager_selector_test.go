package peermanager_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// A selector made by the Manager reads the Manager's book: a peer the
// Manager learns about is selectable at once, and a dial failure reported
// by a client outside the Manager backs the peer off in that one book, so
// the selector stops offering it.
func TestManagerSelectorSharesTheBook(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 1, simhost.WithoutPubsub())
		m := startManager(t, nw.Node(0).Host, peermanager.WithoutMetadata())
		sel, err := m.NewSelector()
		require.NoError(t, err)
		defer sel.Close()

		var on shardmesh.ShardSet
		on.Add(3)
		const storeNode = peerid.ID("12D3KooWStoreNodeOutsideTheSimulation")
		m.AddPeer(book.DiscoveredPeer{ID: storeNode, Origin: book.OriginDiscv5, HasENR: true, Cluster: 1,
			HasShards: true, Shards: on, Caps: shardmesh.CapStore}, nil)
		shard := shardmesh.Shard{Cluster: 1, Index: 3}
		req := selection.Request{Protocol: protocols.Store, Shard: shard, Count: 1, NoPool: true}
		require.Eventually(t, func() bool {
			ids, err := sel.Select(t.Context(), req)
			return err == nil && len(ids) == 1 && peerid.ID(ids[0]) == storeNode
		}, time.Second, 10*time.Millisecond, "the Manager's peer is selectable")

		require.NoError(t, m.DialFailed("12D3KooWStoreNodeOutsideTheSimulation"))
		require.Eventually(t, func() bool {
			_, err := sel.Select(t.Context(), req)
			return err != nil
		}, time.Second, 10*time.Millisecond, "backed off after the outside dial failure")
		_, err = sel.Select(t.Context(), req)
		require.ErrorIs(t, err, selection.ErrAllInBackoff)
	})
}
