package peermanager_test

import (
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
)

// TestManagerReplacesPeerOnNoneOfOurShards: host 0 dials host 1, which
// advertises shard 1 in its metadata but joins no gossipsub topic, so it
// sends no hello at all. Once the announcement grace has passed in
// silence, host 1 counts on no shard, shard 1 is short with the outbound
// slot taken, and the Manager closes host 1 (off-shard) and dials host 2,
// which serves shard 1: within the grace plus one announcement poll, not
// one tick later.
func TestManagerReplacesPeerOnNoneOfOurShards(t *testing.T) {
	defer goleak.VerifyNone(t)
	const cluster = shardmesh.ClusterTWN
	synctest.Test(t, func(t *testing.T) {
		tracker, err := shardmesh.NewTracker()
		if err != nil {
			t.Fatal(err)
		}
		nw := simhost.NewT(t, 3, simhost.WithPubsubOptions(func(i int) []pubsub.Option {
			opts := []pubsub.Option{wakugossip.RelayProtocol()}
			if i == 0 {
				tracer, err := gossipsub.NewTracer(tracker)
				if err != nil {
					t.Fatal(err)
				}
				opts = append(opts, tracer.Option())
			}
			return opts
		}))
		var on1 shardmesh.ShardSet
		on1.Add(1)
		for _, i := range []int{1, 2} {
			svc, err := metadata.NewService(nw.Node(i).Host, cluster, metadata.WithShards(func() shardmesh.ShardSet { return on1 }))
			if err != nil {
				t.Fatal(err)
			}
			svc.Start()
			defer func() { _ = svc.Close() }()
		}
		honest := &relayNode{node: nw.Node(2), topics: map[uint16]*pubsub.Topic{}, subs: map[uint16]*pubsub.Subscription{}}
		honest.join(t, cluster, 1)
		liar, good := nw.Node(1).ID(), nw.Node(2).ID()

		dir := &directory{cluster: cluster, entries: map[peer.ID]dirEntry{}, rng: rand.New(rand.NewPCG(1, 1))}
		dir.set(liar, nw.Node(1).Host.Addrs(), on1)
		cfg := relay.DefaultConfig()
		cfg.ShardFloor, cfg.ShardOutboundFloor, cfg.UnhealthyExtra, cfg.UnhealthyExtraMax = 1, 0, 0, 0
		cfg.InboundTarget, cfg.OutboundTarget, cfg.OutboundQuota = 1, 1, 1
		mgr, err := peermanager.NewManager(nw.Node(0).Host, peermanager.WithConfig(cfg),
			peermanager.WithTracker(tracker), peermanager.WithDiscoverer(dir))
		if err != nil {
			t.Fatal(err)
		}
		node0 := &relayNode{node: nw.Node(0), topics: map[uint16]*pubsub.Topic{}, subs: map[uint16]*pubsub.Subscription{}}
		node0.join(t, cluster, 1)
		if err := mgr.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = mgr.Close() }()

		connected := func(p peer.ID) bool { return nw.Node(0).Host.Network().Connectedness(p) == network.Connected }
		var since time.Time
		for start := time.Now(); !connected(liar); time.Sleep(10 * time.Millisecond) {
			if time.Since(start) > 5*time.Second {
				t.Fatal("host 0 never dialled host 1")
			}
		}
		since = time.Now()
		dir.set(good, nw.Node(2).Host.Addrs(), on1)
		deadline := since.Add(cfg.GossipsubTopicsGrace + 2*time.Second)
		for connected(liar) || !connected(good) {
			if time.Now().After(deadline) {
				t.Fatalf("after %v: host 1 connected %v, host 2 connected %v; want host 1 replaced by host 2",
					time.Since(since), connected(liar), connected(good))
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("host 1 replaced by host 2 %v after it connected", time.Since(since))
		if got := mgr.Snapshot().Stats.Disconnects[relay.ReasonOffShard]; got != 1 {
			t.Errorf("off-shard disconnects %d, want 1", got)
		}
	})
}
