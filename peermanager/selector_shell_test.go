package peermanager_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

func servicePeer(id peer.ID, idx ...uint16) book.DiscoveredPeer {
	set, err := shardmesh.ShardSetOf(idx...)
	if err != nil {
		panic(err)
	}
	return book.DiscoveredPeer{ID: peerid.ID(id), Origin: book.OriginPeerExchange, HasENR: true, Cluster: 1,
		HasShards: true, Shards: set, Caps: shardmesh.CapFilter | shardmesh.CapLightPush | shardmesh.CapStore}
}

// A reader that never reads does not block the selector: events beyond the
// buffer are dropped and counted, and state stays readable.
func TestSelectorShellNeverBlocksOnEvents(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	now := time.Unix(1_700_000_000, 0)
	sel, err := peermanager.NewSelector(peermanager.WithSelectorEventBuffer(1),
		peermanager.WithSelectorClock(func() time.Time { return now }))
	require.NoError(t, err)
	defer sel.Close()
	shard := shardmesh.Shard{Cluster: 1, Index: 0}
	for i := range 10 {
		id := peer.ID(rune('a' + i))
		require.NoError(t, sel.AddPeer(servicePeer(id, 0)))
		sel.PeerConnected(id, book.Outbound, netip.Addr{})
	}
	for range 5 {
		ids, err := sel.Select(context.Background(), peermanager.ForShard(peermanager.ProtocolLightPush, shard, 2))
		require.NoError(t, err)
		require.NoError(t, sel.Report(ids[0], peermanager.ProtocolLightPush, peermanager.OutcomeTimeout))
	}
	st := sel.Stats()
	require.Positive(t, st.EventsDropped)
	require.Len(t, sel.Pool(peermanager.ProtocolLightPush, shard), 2)
	require.Len(t, sel.Events(), 1, "the buffered event is still there")
	require.NoError(t, sel.Close())
	require.NoError(t, sel.Close(), "idempotent")
	for range sel.Events() { // closed: the range ends
	}
}

func TestSelectorShellSelectHonoursContext(t *testing.T) {
	sel, err := peermanager.NewSelector()
	require.NoError(t, err)
	defer sel.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = sel.Select(ctx, peermanager.ForShard(peermanager.ProtocolStore, shardmesh.Shard{Cluster: 1}, 1))
	require.ErrorIs(t, err, context.Canceled)
}

func TestSelectorShellOptionsValidate(t *testing.T) {
	for name, opt := range map[string]peermanager.SelectorOption{
		"nil host":     peermanager.WithSelectorHost(nil),
		"nil clock":    peermanager.WithSelectorClock(nil),
		"nil logger":   peermanager.WithSelectorLogger(nil),
		"neg buffer":   peermanager.WithSelectorEventBuffer(-1),
		"zero tick":    peermanager.WithSelectorTick(0),
		"bad config":   peermanager.WithSelectorConfig(peermanager.SelectorConfig{}),
		"bad capacity": peermanager.WithSelectorBookOptions(book.WithCapacity(0)),
	} {
		_, err := peermanager.NewSelector(opt)
		require.Error(t, err, name)
	}
	_, err := peermanager.NewKeepalive(nil, nil)
	require.ErrorIs(t, err, peermanager.ErrInvalidKeepaliveOption)
}

// With a host, the selector learns connections and identify results from
// the event bus, and the keep-alive feeds RTTs back; Close stops both
// goroutines (goleak).
func TestSelectorShellFollowsHostOnLoopback(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	client, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/udp/0/quic-v1"), libp2p.DisableMetrics())
	require.NoError(t, err)
	defer client.Close()
	server, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/udp/0/quic-v1"), libp2p.DisableMetrics())
	require.NoError(t, err)
	defer server.Close()
	server.SetStreamHandler(peermanager.ProtocolFilter, func(s network.Stream) { _ = s.Close() })

	sel, err := peermanager.NewSelector(peermanager.WithSelectorHost(client), peermanager.WithSelectorTick(time.Second))
	require.NoError(t, err)
	defer sel.Close()
	ka, err := peermanager.NewKeepalive(client, sel, peermanager.WithKeepaliveInterval(200*time.Millisecond),
		peermanager.WithKeepaliveTimeout(100*time.Millisecond))
	require.NoError(t, err)
	defer ka.Close()

	d := servicePeer(server.ID(), 4)
	d.Caps = 0 // protocols come from identify only
	require.NoError(t, sel.AddPeer(d))
	require.NoError(t, client.Connect(context.Background(), peer.AddrInfo{ID: server.ID(), Addrs: server.Addrs()}))
	shard := shardmesh.Shard{Cluster: 1, Index: 4}
	require.Eventually(t, func() bool {
		ids, err := sel.Select(context.Background(), peermanager.ForShard(peermanager.ProtocolFilter, shard, 1))
		return err == nil && len(ids) == 1 && ids[0] == server.ID()
	}, 10*time.Second, 20*time.Millisecond, "identify made the server a filter candidate")
	require.Eventually(t, func() bool {
		return client.Peerstore().LatencyEWMA(server.ID()) > 0 && sel.Pool(peermanager.ProtocolFilter, shard)[0].Live
	}, 10*time.Second, 20*time.Millisecond, "keep-alive pinged the pool member")
	_, err = sel.Select(context.Background(), peermanager.ForShard(peermanager.ProtocolLightPush, shard, 1))
	require.ErrorIs(t, err, peermanager.ErrNoPeerSupportsProtocol, "identify did not list light push")
	require.NoError(t, ka.Close())
	require.NoError(t, sel.Close())
}
