package selector_test

import (
	"context"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/marcopolo/simnet"
	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// storeRTT is the round-trip time between the client (node 0) and store
// node i (1-5); node 6 serves shard 64 only.
var storeRTT = map[int]time.Duration{1: 20 * time.Millisecond, 2: 50 * time.Millisecond,
	3: 100 * time.Millisecond, 4: 200 * time.Millisecond, 5: 400 * time.Millisecond, 6: 20 * time.Millisecond}

// The store-node cycle of a status-go-like client (StatusPreset) on
// simulated hosts whose links to the client have 20/50/100/200/400 ms
// RTT:
//
//   - waiting for a store node honours the context: with none known it
//     returns the context's error at the deadline;
//   - after a ping round of the candidates the chosen node is among the 3
//     fastest (go-waku chooses among the fastest quarter, at least 3);
//   - a node failing 2 requests is graylisted for 3 min and the cycle
//     moves on to another node, notified as not working and changed;
//   - pinning a node at runtime takes effect on the next selection, and
//     unpinning gives the choice back to the fastest;
//   - a waiter returns as soon as the first store node of a shard becomes
//     available.
func TestStoreNodeCycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		oneWay := map[string]time.Duration{}
		for i, rtt := range storeRTT {
			oneWay[simhost.OwnIP(i).IP.String()] = rtt / 2
		}
		latency := func(p *simnet.Packet) time.Duration {
			for _, a := range []net.Addr{p.From, p.To} {
				if d, ok := oneWay[a.(*net.UDPAddr).IP.String()]; ok {
					return d
				}
			}
			return time.Millisecond
		}
		nw := simhost.NewT(t, 7, simhost.WithoutPubsub(), simhost.WithLatencyFunc(latency))
		client := nw.Node(0).Host
		for i := 1; i <= 6; i++ {
			nw.Node(i).Host.SetStreamHandler(protocols.Store, func(s network.Stream) { _ = s.Close() })
		}
		shard32 := shardmesh.Shard{Cluster: selection.StatusCluster, Index: selection.StatusDefaultShard}
		shard64 := shardmesh.Shard{Cluster: selection.StatusCluster, Index: selection.StatusNonProtectedShard}
		cycle := selector.DefaultStoreCycleConfig()
		cycle.Interval, cycle.Shards = 10*time.Second, []shardmesh.Shard{shard32, shard64}
		sel, err := selector.New(selector.WithHost(client), selector.WithConfig(selection.StatusPreset()),
			selector.WithStoreCycle(cycle), selector.WithNotificationBuffer(1024))
		require.NoError(t, err)
		defer sel.Close()
		id := func(i int) peer.ID { return nw.Node(i).ID() }
		discover := func(i int, shard shardmesh.Shard) {
			n := nw.Node(i)
			client.Peerstore().AddAddrs(n.ID(), n.Host.Addrs(), peerstore.PermanentAddrTTL)
			set, _ := shardmesh.ShardSetOf(shard.Index)
			require.NoError(t, sel.AddPeer(book.DiscoveredPeer{ID: peerid.ID(n.ID()), Origin: book.OriginStatic,
				HasENR: true, Cluster: shard.Cluster, HasShards: true, Shards: set, Caps: shardmesh.CapStore}))
		}

		// Waiting honours the context.
		start := time.Now()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		_, err = sel.WaitStoreNode(ctx, shard32)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorIs(t, err, selection.ErrNoPeerSupportsProtocol)
		require.Equal(t, time.Second, time.Since(start))

		// Candidates pinged, then the choice among the fastest.
		for i := 1; i <= 5; i++ {
			discover(i, shard32)
		}
		time.Sleep(cycle.Interval + time.Second) // a ping round
		chosen, err := sel.WaitStoreNode(t.Context(), shard32)
		require.NoError(t, err)
		fastest := []peer.ID{id(1), id(2), id(3)}
		require.Contains(t, fastest, chosen)

		// Failing twice: graylisted, the cycle moves on.
		drain(sel)
		before := time.Now()
		for range 2 {
			require.NoError(t, sel.Report(chosen, protocols.Store, selection.OutcomeTimeout))
		}
		until, benched := sel.BenchedUntil(chosen, protocols.Store)
		require.True(t, benched)
		require.Equal(t, before.Add(3*time.Minute), until, "graylisted for StatusPreset's 3 min")
		next, ok := sel.StoreNode(shard32)
		require.True(t, ok)
		require.NotEqual(t, chosen, next)
		require.Contains(t, []peer.ID{id(1), id(2), id(3), id(4)}, next, "among the fastest of the 4 left")
		kinds := drain(sel)
		require.Contains(t, kinds, selection.NotifyStoreNodeNotWorking)
		require.Contains(t, kinds, selection.NotifyStoreNodeChanged)

		// Pinned at runtime: the next selection uses it; unpinned: the fastest again.
		require.NoError(t, sel.Pin(protocols.Store, id(5)))
		got, err := sel.Select(t.Context(), selection.ForShard(protocols.Store, shard32, 1))
		require.NoError(t, err)
		require.Equal(t, []peer.ID{id(5)}, got)
		require.NoError(t, sel.Pin(protocols.Store))
		got, err = sel.Select(t.Context(), selection.ForShard(protocols.Store, shard32, 1))
		require.NoError(t, err)
		require.NotEqual(t, id(5), got[0])
		require.NotEqual(t, chosen, got[0], "still graylisted")

		// A waiter returns when the first store node of shard 64 appears.
		type result struct {
			id  peer.ID
			at  time.Time
			err error
		}
		done := make(chan result, 1)
		go func() {
			p, err := sel.WaitStoreNode(t.Context(), shard64)
			done <- result{p, time.Now(), err}
		}()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		require.Empty(t, done, "no store node on shard 64 yet")
		appeared := time.Now()
		discover(6, shard64)
		r := <-done
		require.NoError(t, r.err)
		require.Equal(t, id(6), r.id)
		require.Equal(t, appeared, r.at, "returns as soon as it is available")
	})
}

// drain returns the kinds of the notifications waiting on sel.
func drain(sel *selector.Selector) []selection.NotificationKind {
	var kinds []selection.NotificationKind
	for {
		select {
		case n := <-sel.Notifications():
			kinds = append(kinds, n.Kind)
		default:
			return kinds
		}
	}
}
