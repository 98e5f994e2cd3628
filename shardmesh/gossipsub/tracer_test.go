package gossipsub

import (
	"testing"

	pubsub "github.com/libp2p/go-libp2p-pubsub"

	"github.com/wakupm/wakupm/shardmesh"
)

// TestTracerIgnoresForeignTopics feeds the adapter topics that are not
// static-sharding topics: they are counted and change nothing.
func TestTracerIgnoresForeignTopics(t *testing.T) {
	tr, _ := shardmesh.NewTracker()
	rt, err := NewTracer(tr)
	if err != nil {
		t.Fatal(err)
	}
	foreign := []string{"/waku/2/default-waku/proto", "/eth2/beacon_block", "", "/waku/2/rs/1/1024", "/waku/2/rs/1/01"}
	for _, topic := range foreign {
		rt.Join(topic)
		rt.Graft("a", topic)
		rt.Prune("a", topic)
		rt.Leave(topic)
	}
	if st := tr.Stats(); st.ForeignTopics != uint64(4*len(foreign)) {
		t.Errorf("ForeignTopics = %d, want %d", st.ForeignTopics, 4*len(foreign))
	}
	if snap := tr.Snapshot(); len(snap) != 0 {
		t.Errorf("foreign topics created shards: %+v", snap)
	}
	// Static-shard topics go through, and the remaining callbacks are no-ops.
	rt.Join("/waku/2/rs/1/3")
	rt.Graft("a", "/waku/2/rs/1/3")
	rt.DeliverMessage(&pubsub.Message{})
	rt.RecvRPC(&pubsub.RPC{})
	if h := tr.Health(shardmesh.Shard{Cluster: 1, Index: 3}); h != shardmesh.MinimallyHealthy {
		t.Errorf("health %v after one graft", h)
	}
	rt.OnClosedOutboundStream("a")
	if h := tr.Health(shardmesh.Shard{Cluster: 1, Index: 3}); h != shardmesh.Unhealthy {
		t.Errorf("health %v after the only mesh peer went away", h)
	}
}

func TestNewTracerValidates(t *testing.T) {
	if _, err := NewTracer(nil); err == nil {
		t.Error("NewTracer(nil) accepted")
	}
	tr, _ := shardmesh.NewTracker()
	if _, err := NewTracer(tr, WithNetwork(nil)); err == nil {
		t.Error("WithNetwork(nil) accepted")
	}
}

// TestTracerBoundsSubscriptionsPerRPC: one RPC costs at most
// WithMaxSubscriptionsPerRPC announcements; the rest are counted.
func TestTracerBoundsSubscriptionsPerRPC(t *testing.T) {
	tr, _ := shardmesh.NewTracker(shardmesh.WithCluster(1))
	rt, err := NewTracer(tr, WithMaxSubscriptionsPerRPC(300))
	if err != nil {
		t.Fatal(err)
	}
	rt.recvSubscriptions("p", subscriptions(1000)) // cluster i%100, index i/100
	if got := rt.Stats().SkippedSubscriptions; got != 700 {
		t.Errorf("SkippedSubscriptions = %d, want 700", got)
	}
	// Of the first 300, cluster 1 holds i = 1, 101, 201: indexes 0, 1, 2.
	if set, heard := tr.Announced("p", 1); !heard || set.Len() != 3 || !set.Contains(2) {
		t.Errorf("announced %v, heard %v; want [0 1 2]", set.Indexes(), heard)
	}
	if got := tr.Stats().ForeignClusterAnnouncements; got != 297 {
		t.Errorf("ForeignClusterAnnouncements = %d, want 297", got)
	}
	if _, err := NewTracer(tr, WithMaxSubscriptionsPerRPC(0)); err == nil {
		t.Error("WithMaxSubscriptionsPerRPC(0) accepted")
	}
}

func TestTracerCloseIdempotent(t *testing.T) {
	tr, _ := shardmesh.NewTracker()
	rt, err := NewTracer(tr)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rt.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
