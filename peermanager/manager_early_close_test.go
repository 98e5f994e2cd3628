package peermanager_test

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/multiformats/go-multiaddr"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// closeOnConnect closes every connection right after the handshake, as a
// peer at its connection limit does, and counts them.
type closeOnConnect struct{ conns atomic.Int64 }

func (c *closeOnConnect) Connected(_ network.Network, conn network.Conn) {
	c.conns.Add(1)
	go func() { _ = conn.Close() }()
}
func (*closeOnConnect) Disconnected(network.Network, network.Conn)       {}
func (*closeOnConnect) Listen(network.Network, multiaddr.Multiaddr)      {}
func (*closeOnConnect) ListenClose(network.Network, multiaddr.Multiaddr) {}

// startManager returns a started Manager on h that t closes at cleanup
// (before the simulated network, which was set up earlier).
func startManager(t *testing.T, h host.Host, opts ...peermanager.Option) *peermanager.Manager {
	t.Helper()
	m, err := peermanager.NewManager(h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return m
}

// subscribe subscribes m to shards idx of The Waku Network, its cluster.
func subscribe(t *testing.T, m *peermanager.Manager, idx ...uint16) {
	t.Helper()
	for _, i := range idx {
		if err := m.Subscribe(shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: i}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestManagerBacksOffPeerThatClosesAfterHandshake: the only candidate of a
// subscribed shard accepts every connection and closes it at once. Each
// such connection is a failed dial (EarlyCloseWindow), so over 2 virtual
// minutes the Manager dials it on the backoff schedule — 10 s × 2^(n−1)
// with jitter in [0.75, 1]: at most 5 dials — not in a loop.
func TestManagerBacksOffPeerThatClosesAfterHandshake(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 2, simhost.WithoutPubsub())
		node, full := nw.Node(0).Host, nw.Node(1).Host
		closer := &closeOnConnect{}
		full.Network().Notify(closer)
		// The peer is a relay peer at its limit: when identify completes
		// before its close (it sometimes does), it must list relay, or
		// the Manager rightly stops treating it as a relay candidate.
		full.SetStreamHandler(protocols.Relay, func(s network.Stream) { _ = s.Reset() })

		m := startManager(t, node, peermanager.WithoutMetadata())
		subscribe(t, m, 0)
		on, _ := shardmesh.ShardSetOf(0)
		m.AddPeer(book.DiscoveredPeer{ID: peerid.ID(full.ID()), Origin: book.OriginDiscv5, HasENR: true,
			Cluster: shardmesh.ClusterTWN, HasShards: true, Shards: on, Caps: shardmesh.CapRelay}, full.Addrs())

		time.Sleep(2 * time.Minute)
		synctest.Wait()

		dials := closer.conns.Load()
		st := m.Snapshot().Stats
		t.Logf("%d connections in 2 min; stats: started %d, succeeded %d, closed early %d, failed %d",
			dials, st.DialsStarted, st.DialsSucceeded, st.DialsClosedEarly, st.DialsFailed)
		if dials < 3 || dials > 5 {
			t.Errorf("%d connections to a peer that closes at once in 2 min, want 3-5 (backoff 10 s, 20 s, 40 s, 80 s)", dials)
		}
		if st.DialsClosedEarly < 3 {
			t.Errorf("%d dials counted as closed early, want every connection (%d)", st.DialsClosedEarly, dials)
		}
	})
}
