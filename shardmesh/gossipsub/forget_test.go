package gossipsub_test

import (
	"encoding/binary"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/proto"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
)

// helloFrame is a length-prefixed gossipsub RPC subscribing to every shard
// of cluster 1, as a peer in all of them would send first.
func helloFrame(t *testing.T) []byte {
	t.Helper()
	var rpc pb.RPC
	for i := range shardmesh.ShardsPerCluster {
		topic := shardmesh.Shard{Cluster: 1, Index: uint16(i)}.PubsubTopic()
		rpc.Subscriptions = append(rpc.Subscriptions, &pb.RPC_SubOpts{Subscribe: proto.Bool(true), Topicid: proto.String(topic)})
	}
	b, err := proto.Marshal(&rpc)
	if err != nil {
		t.Fatal(err)
	}
	return append(binary.AppendUvarint(nil, uint64(len(b))), b...)
}

// heapInUse returns the live heap. Two collections: sync.Pool keeps its
// victim cache through the first one.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestThrowawayPeersAreForgotten: throwawayWave real hosts (1000; 300
// under the race detector, which CI runs, to keep CI short) connect to a node, send
// a gossipsub hello listing the 1024 shards of our cluster, refuse the
// node's own gossipsub stream (they run no pubsub, so gossipsub never
// reports them gone) and leave. The tracker must forget them: no tracked
// peer remains, and the heap the wave leaves behind is no larger than that
// of a control wave of as many hosts that connect and leave without a hello
// (the simulated network keeps every endpoint it ever had, and the node's
// peerstore is cleared as peers leave, so that the difference is what the
// tracker and gossipsub keep).
func TestThrowawayPeersAreForgotten(t *testing.T) {
	if testing.Short() {
		t.Skip("2 waves of throwaway hosts; skipped under -short")
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	synctest.Test(t, func(t *testing.T) {
		var tracker *shardmesh.Tracker
		nw := simhost.NewT(t, 1, simhost.WithNodePubsubOptions(func(n *simhost.Node) []pubsub.Option {
			var err error
			if tracker, err = shardmesh.NewTracker(shardmesh.WithCluster(1)); err != nil {
				t.Fatal(err)
			}
			tracer, err := gossipsub.NewTracer(tracker, gossipsub.WithNetwork(n.Host.Network()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = tracer.Close() })
			return []pubsub.Option{tracer.Option()}
		}))
		node := nw.Node(0)
		topic, err := node.PubSub.Join(shardmesh.Shard{Cluster: 1, Index: 0}.PubsubTopic())
		if err != nil {
			t.Fatal(err)
		}
		sub, err := topic.Subscribe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sub.Cancel)
		churn := throwawayChurn{t: t, nw: nw, node: node, hello: helloFrame(t)}

		n := throwawayWave
		churn.wave(0, 100, true) // warm-up: pools and tables reach their working size
		base := heapInUse()
		churn.wave(100, n, false)
		control := heapInUse()
		churn.wave(100+n, n, true)
		after := heapInUse()

		tracked := tracker.TrackedPeers()
		mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
		left := int64(after-control) - int64(control-base)
		t.Logf("after %d announcing throwaway peers: %d tracked; heap +%.2f MiB (control wave without hello +%.2f MiB): %+.2f MiB left behind",
			n, tracked, mib(after-control), mib(control-base), float64(left)/(1<<20))
		if tracked != 0 {
			t.Errorf("the tracker holds %d peers after they all left", tracked)
		}
		if left > int64(n)*128 {
			t.Errorf("%d departed peers left %.2f MiB of heap behind, want < 128 B each", n, float64(left)/(1<<20))
		}
	})
}

// throwawayChurn connects short-lived bare hosts to node.
type throwawayChurn struct {
	t     *testing.T
	nw    *simhost.Network
	node  *simhost.Node
	hello []byte
}

// wave runs n throwaway hosts from index 1000+from, 50 at a time, each
// sending the hello if asked, then waits for the node to settle.
func (c throwawayChurn) wave(from, n int, hello bool) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	for i := from; i < from+n; i++ {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c.visit(1000+i, hello)
		})
	}
	wg.Wait()
	time.Sleep(5 * time.Second)
	synctest.Wait()
}

// visit connects host i to the node, sends the hello over a gossipsub
// stream of its own if asked, and leaves; the node forgets its address.
func (c throwawayChurn) visit(i int, hello bool) {
	t := c.t
	h, err := c.nw.NewBareHost(i)
	if err != nil {
		t.Error(err)
		return
	}
	defer func() {
		if err := h.Close(); err != nil {
			t.Error(err)
		}
		time.Sleep(time.Second) // the close reaches the node
		c.node.Host.Peerstore().RemovePeer(h.ID())
		c.node.Host.Peerstore().ClearAddrs(h.ID())
	}()
	if err := h.Connect(t.Context(), c.node.AddrInfo()); err != nil {
		t.Error(err)
		return
	}
	if hello {
		s, err := h.NewStream(t.Context(), c.node.ID(), pubsub.GossipSubID_v11)
		if err != nil {
			t.Error(err)
			return
		}
		if _, err := s.Write(c.hello); err != nil {
			t.Error(err)
		}
		defer s.Close()
	}
	time.Sleep(time.Second)
}
