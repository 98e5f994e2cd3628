package selector_test

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
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/protocols"
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

// A reader that never reads does not block the selector: notifications
// beyond the buffer are dropped and counted, and state stays readable.
func TestSelectorShellNeverBlocksOnNotifications(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	now := time.Unix(1_700_000_000, 0)
	sel, err := selector.New(selector.WithNotificationBuffer(1),
		selector.WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	defer sel.Close()
	shard := shardmesh.Shard{Cluster: 1, Index: 0}
	for i := range 10 {
		id := peer.ID(rune('a' + i))
		require.NoError(t, sel.AddPeer(servicePeer(id, 0)))
		sel.PeerConnected(id, book.Outbound, netip.Addr{})
	}
	for range 5 {
		ids, err := sel.Select(context.Background(), selection.ForShard(protocols.LightPush, shard, 2))
		require.NoError(t, err)
		require.NoError(t, sel.Report(ids[0], protocols.LightPush, selection.OutcomeTimeout))
	}
	st := sel.Stats()
	require.Positive(t, st.NotificationsDropped)
	require.Len(t, sel.Pool(protocols.LightPush, shard), 2)
	require.Len(t, sel.Notifications(), 1, "the buffered notification is still there")
	require.NoError(t, sel.Close())
	require.NoError(t, sel.Close(), "idempotent")
	for range sel.Notifications() { // closed: the range ends
	}
}

func TestSelectorShellSelectHonoursContext(t *testing.T) {
	sel, err := selector.New()
	require.NoError(t, err)
	defer sel.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = sel.Select(ctx, selection.ForShard(protocols.Store, shardmesh.Shard{Cluster: 1}, 1))
	require.ErrorIs(t, err, context.Canceled)
}

func TestSelectorShellOptionsValidate(t *testing.T) {
	for name, opt := range map[string]selector.Option{
		"nil host":                   selector.WithHost(nil),
		"nil clock":                  selector.WithClock(nil),
		"nil logger":                 selector.WithLogger(nil),
		"neg buffer":                 selector.WithNotificationBuffer(-1),
		"zero tick":                  selector.WithTick(0),
		"bad config":                 selector.WithConfig(selection.Config{}),
		"bad capacity":               selector.WithBookOptions(book.WithCapacity(0)),
		"no host for the keep-alive": selector.WithKeepalive(selector.DefaultKeepaliveConfig()),
	} {
		_, err := selector.New(opt)
		require.Error(t, err, name)
	}
	for name, k := range map[string]selector.KeepaliveConfig{
		"zero interval":       {Timeout: time.Second, Parallel: 1},
		"timeout of interval": {Interval: time.Second, Timeout: time.Second, Parallel: 1},
		"no parallel":         {Interval: time.Minute, Timeout: time.Second},
	} {
		var oe *selector.OptionError
		require.ErrorAs(t, selector.WithKeepalive(k)(nil), &oe, name)
		require.Equal(t, "WithKeepalive", oe.Option)
	}
	_, err := selector.New(selector.WithTick(-time.Second))
	require.EqualError(t, err, "selector: invalid option WithTick: tick -1s, want > 0")
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
	server.SetStreamHandler(protocols.FilterSubscribe, func(s network.Stream) { _ = s.Close() })

	sel, err := selector.New(selector.WithHost(client), selector.WithTick(time.Second),
		selector.WithKeepalive(selector.KeepaliveConfig{Interval: 200 * time.Millisecond, Timeout: 100 * time.Millisecond, Parallel: 1}))
	require.NoError(t, err)
	defer sel.Close()

	d := servicePeer(server.ID(), 4)
	d.Caps = 0 // protocols come from identify only
	require.NoError(t, sel.AddPeer(d))
	require.NoError(t, client.Connect(context.Background(), peer.AddrInfo{ID: server.ID(), Addrs: server.Addrs()}))
	shard := shardmesh.Shard{Cluster: 1, Index: 4}
	require.Eventually(t, func() bool {
		ids, err := sel.Select(context.Background(), selection.ForShard(protocols.FilterSubscribe, shard, 1))
		return err == nil && len(ids) == 1 && ids[0] == server.ID()
	}, 10*time.Second, 20*time.Millisecond, "identify made the server a filter candidate")
	require.Eventually(t, func() bool {
		return client.Peerstore().LatencyEWMA(server.ID()) > 0 && sel.Pool(protocols.FilterSubscribe, shard)[0].Live
	}, 10*time.Second, 20*time.Millisecond, "keep-alive pinged the pool member")
	_, err = sel.Select(context.Background(), selection.ForShard(protocols.LightPush, shard, 1))
	require.ErrorIs(t, err, selection.ErrNoPeerSupportsProtocol, "identify did not list light push")
	require.NoError(t, sel.Close())
}
