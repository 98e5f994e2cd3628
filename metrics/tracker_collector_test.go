package metrics

import (
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
)

func trackerFixture(t *testing.T) *shardmesh.Tracker {
	t.Helper()
	tr, err := shardmesh.NewTracker()
	if err != nil {
		t.Fatal(err)
	}
	s0 := shardmesh.Shard{Cluster: 1, Index: 0}
	s5 := shardmesh.Shard{Cluster: 1, Index: 5}
	tr.Join(s0)
	tr.Join(s5)
	tr.SetDirection("a", shardmesh.Outbound)
	for _, p := range []string{"a", "b", "c", "d"} {
		tr.Graft(peerid.ID(p), s0)
	}
	tr.Graft("a", s5)
	tr.Graft("b", s5)
	tr.SetScore("b", -5000)                              // b no longer counts on s0 and s5
	tr.Graft("x", shardmesh.Shard{Cluster: 1, Index: 9}) // not joined: ignored
	tr.Prune("zz", s0)                                   // never grafted: ignored
	return tr
}

func TestTrackerCollectorExposition(t *testing.T) {
	c, err := NewTrackerCollector(trackerFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	want := `
# HELP libp2p_gossipsub_peers_per_topic_mesh Peers in our gossipsub mesh per joined pubsub topic (nim-libp2p's name).
# TYPE libp2p_gossipsub_peers_per_topic_mesh gauge
libp2p_gossipsub_peers_per_topic_mesh{topic="/waku/2/rs/1/0"} 4
libp2p_gossipsub_peers_per_topic_mesh{topic="/waku/2/rs/1/5"} 2
# HELP wakupm_shard_mesh_peers Peers in our gossipsub mesh per joined shard.
# TYPE wakupm_shard_mesh_peers gauge
wakupm_shard_mesh_peers{cluster="1",shard="0"} 4
wakupm_shard_mesh_peers{cluster="1",shard="5"} 2
# HELP wakupm_shard_outbound_mesh_peers Mesh peers we dialled per joined shard (gossipsub keeps at least Dout).
# TYPE wakupm_shard_outbound_mesh_peers gauge
wakupm_shard_outbound_mesh_peers{cluster="1",shard="0"} 1
wakupm_shard_outbound_mesh_peers{cluster="1",shard="5"} 1
# HELP wakupm_shard_low_score_mesh_peers Mesh peers whose gossipsub score is below the tracker's threshold; not counted for health.
# TYPE wakupm_shard_low_score_mesh_peers gauge
wakupm_shard_low_score_mesh_peers{cluster="1",shard="0"} 1
wakupm_shard_low_score_mesh_peers{cluster="1",shard="5"} 1
# HELP wakupm_shard_health Mesh health per joined shard: 0 unhealthy, 1 minimally healthy, 2 sufficiently healthy.
# TYPE wakupm_shard_health gauge
wakupm_shard_health{cluster="1",shard="0"} 1
wakupm_shard_health{cluster="1",shard="5"} 1
# HELP wakupm_node_health Health of the weakest joined shard (0 when no shard is joined).
# TYPE wakupm_node_health gauge
wakupm_node_health 1
# HELP wakupm_node_shards Joined shards per health level.
# TYPE wakupm_node_shards gauge
wakupm_node_shards{health="minimally_healthy"} 2
wakupm_node_shards{health="sufficiently_healthy"} 0
wakupm_node_shards{health="unhealthy"} 0
# HELP wakupm_tracker_ignored_events_total Tracker events that did not fit its state and were ignored, by reason.
# TYPE wakupm_tracker_ignored_events_total counter
wakupm_tracker_ignored_events_total{reason="duplicate_graft"} 0
wakupm_tracker_ignored_events_total{reason="foreign_cluster"} 0
wakupm_tracker_ignored_events_total{reason="foreign_topic"} 0
wakupm_tracker_ignored_events_total{reason="graft_not_joined"} 1
wakupm_tracker_ignored_events_total{reason="join_joined"} 0
wakupm_tracker_ignored_events_total{reason="leave_not_joined"} 0
wakupm_tracker_ignored_events_total{reason="peer_limit"} 0
wakupm_tracker_ignored_events_total{reason="prune_not_meshed"} 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"libp2p_gossipsub_peers_per_topic_mesh", "wakupm_shard_mesh_peers", "wakupm_shard_outbound_mesh_peers",
		"wakupm_shard_low_score_mesh_peers", "wakupm_shard_health", "wakupm_node_health", "wakupm_node_shards",
		"wakupm_tracker_ignored_events_total"); err != nil {
		t.Error(err)
	}
	// 2 joins, 1 direction, 6 grafts, 1 score, 1 prune.
	if got := testutil.CollectAndCount(c, "wakupm_tracker_events_total"); got != 1 {
		t.Errorf("%d events series", got)
	}
}

func TestTrackerCollectorLint(t *testing.T) {
	c, err := NewTrackerCollector(trackerFixture(t), WithTrackerConstLabels(prometheus.Labels{"node": "3"}))
	if err != nil {
		t.Fatal(err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Gather(); err != nil {
		t.Errorf("pedantic gather: %v", err)
	}
}

// The gossipsub adapter is the tracker's shell; its counters are exported
// next to the tracker's when the collector is given it.
var _ TracerSource = (*gossipsub.Tracer)(nil)

type tracerStats gossipsub.TracerStats

func (s tracerStats) Stats() gossipsub.TracerStats { return gossipsub.TracerStats(s) }

// Announcements of another cluster's shards and events of new peers past
// WithMaxPeers are counted as ignored events; the tracer's skipped
// subscriptions are exported WithTracerStats, promlint-clean.
func TestTrackerCollectorBoundsAndTracer(t *testing.T) {
	tr, err := shardmesh.NewTracker(shardmesh.WithCluster(1), shardmesh.WithMaxPeers(1))
	if err != nil {
		t.Fatal(err)
	}
	tr.Announce("a", shardmesh.Shard{Cluster: 1, Index: 2}, true)
	tr.Announce("a", shardmesh.Shard{Cluster: 7, Index: 2}, true) // another cluster
	tr.HeardFrom("b")                                             // a second peer, past the bound
	tr.SetDirection("c", shardmesh.Outbound)                      // a third
	c, err := NewTrackerCollector(tr, WithTracerStats(tracerStats{SkippedSubscriptions: 5}),
		WithTrackerConstLabels(prometheus.Labels{"node": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	want := `
# HELP wakupm_tracer_skipped_subscriptions_total Subscriptions of a gossipsub RPC beyond the tracer's per-RPC bound, not read.
# TYPE wakupm_tracer_skipped_subscriptions_total counter
wakupm_tracer_skipped_subscriptions_total{node="1"} 5
# HELP wakupm_tracker_ignored_events_total Tracker events that did not fit its state and were ignored, by reason.
# TYPE wakupm_tracker_ignored_events_total counter
wakupm_tracker_ignored_events_total{node="1",reason="duplicate_graft"} 0
wakupm_tracker_ignored_events_total{node="1",reason="foreign_cluster"} 1
wakupm_tracker_ignored_events_total{node="1",reason="foreign_topic"} 0
wakupm_tracker_ignored_events_total{node="1",reason="graft_not_joined"} 0
wakupm_tracker_ignored_events_total{node="1",reason="join_joined"} 0
wakupm_tracker_ignored_events_total{node="1",reason="leave_not_joined"} 0
wakupm_tracker_ignored_events_total{node="1",reason="peer_limit"} 2
wakupm_tracker_ignored_events_total{node="1",reason="prune_not_meshed"} 0
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"wakupm_tracer_skipped_subscriptions_total", "wakupm_tracker_ignored_events_total"); err != nil {
		t.Error(err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	if _, err := NewTrackerCollector(tr, WithTracerStats(nil)); !isOptionError(err) {
		t.Errorf("nil tracer source: %v", err)
	}
	plain, _ := NewTrackerCollector(tr)
	if n := testutil.CollectAndCount(plain, "wakupm_tracer_skipped_subscriptions_total"); n != 0 {
		t.Errorf("%d tracer series without WithTracerStats", n)
	}
}

func TestTrackerCollectorEmptyTracker(t *testing.T) {
	tr, _ := shardmesh.NewTracker()
	c, _ := NewTrackerCollector(tr)
	if n := testutil.CollectAndCount(c, "wakupm_shard_health", "libp2p_gossipsub_peers_per_topic_mesh"); n != 0 {
		t.Errorf("%d per-shard series without joined shards", n)
	}
	want := "# HELP wakupm_node_health Health of the weakest joined shard (0 when no shard is joined).\n" +
		"# TYPE wakupm_node_health gauge\nwakupm_node_health 0\n"
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "wakupm_node_health"); err != nil {
		t.Error(err)
	}
}

// TestTrackerCollectorConcurrentScrapes is for -race: scrapes share the
// snapshot buffer while the tracker keeps changing.
func TestTrackerCollectorConcurrentScrapes(t *testing.T) {
	tr := trackerFixture(t)
	c, _ := NewTrackerCollector(tr)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				testutil.CollectAndCount(c)
			}
		})
	}
	s := shardmesh.Shard{Cluster: 1, Index: 0}
	for i := range 2000 {
		if i%2 == 0 {
			tr.Prune("c", s)
		} else {
			tr.Graft("c", s)
		}
	}
	wg.Wait()
}

func TestNewTrackerCollectorValidates(t *testing.T) {
	tr, _ := shardmesh.NewTracker()
	for name, f := range map[string]func() error{
		"nil source": func() error { _, err := NewTrackerCollector(nil); return err },
		"nil option": func() error { _, err := NewTrackerCollector(tr, nil); return err },
		"reserved label": func() error {
			_, err := NewTrackerCollector(tr, WithTrackerConstLabels(prometheus.Labels{"shard": "x"}))
			return err
		},
		"empty label key": func() error {
			_, err := NewTrackerCollector(tr, WithTrackerConstLabels(prometheus.Labels{"": "x"}))
			return err
		},
	} {
		if err := f(); !isOptionError(err) {
			t.Errorf("%s: err = %v, want an *OptionError", name, err)
		}
	}
}
