package metrics

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
)

// TrackerSource is what a TrackerCollector reads at each scrape.
// *shardmesh.Tracker implements it.
type TrackerSource interface {
	AppendSnapshot(dst []shardmesh.ShardHealth) []shardmesh.ShardHealth
	NodeHealth() shardmesh.NodeHealth
	Stats() shardmesh.TrackerStats
}

// TracerSource is what a TrackerCollector built WithTracerStats reads at
// each scrape: the counters of the gossipsub adapter feeding the tracker.
// *gossipsub.Tracer (package shardmesh/gossipsub) implements it.
type TracerSource interface {
	Stats() gossipsub.TracerStats
}

var (
	_ TrackerSource        = (*shardmesh.Tracker)(nil)
	_ prometheus.Collector = (*TrackerCollector)(nil)
)

// TrackerCollector is a Prometheus collector of per-shard mesh health. At
// each scrape it takes one Snapshot, one NodeHealth and one Stats of its
// source. Exposed series (health levels are 0 unhealthy, 1 minimally
// healthy, 2 sufficiently healthy):
//
//	libp2p_gossipsub_peers_per_topic_mesh{topic}        gauge: mesh peers per joined shard topic
//	wakupm_shard_mesh_peers{cluster,shard}              gauge: the same, by shard
//	wakupm_shard_outbound_mesh_peers{cluster,shard}     gauge: mesh peers we dialled
//	wakupm_shard_low_score_mesh_peers{cluster,shard}    gauge: mesh peers below the score threshold
//	wakupm_shard_health{cluster,shard}                  gauge: health level 0..2
//	wakupm_node_health                                  gauge: weakest joined shard's level
//	wakupm_node_shards{health}                          gauge: joined shards per level
//	wakupm_tracker_events_total                         counter
//	wakupm_tracker_health_changes_total                 counter
//	wakupm_tracker_ignored_events_total{reason}         counter: reason graft_not_joined, duplicate_graft,
//	                                                    prune_not_meshed, join_joined, leave_not_joined,
//	                                                    foreign_topic, foreign_cluster (an announced shard of
//	                                                    another cluster), peer_limit (an event of a new peer
//	                                                    at the tracker's WithMaxPeers bound)
//	wakupm_tracer_skipped_subscriptions_total           counter: subscriptions past the per-RPC bound the
//	                                                    gossipsub tracer did not read (WithTracerStats only)
//
// libp2p_gossipsub_peers_per_topic_mesh keeps nim-libp2p's name and topic
// label (libp2p/protocols/pubsub/gossipsub/types.nim), which nwaku nodes
// export and Waku dashboards plot. nwaku has no per-shard health or
// outbound-mesh series, so those are wakupm_ names.
type TrackerCollector struct {
	src TrackerSource

	meshCompat, mesh, outbound, lowScore, health *prometheus.Desc
	nodeHealth, nodeShards                       *prometheus.Desc
	events, changes, ignored                     *prometheus.Desc

	tracer      TracerSource // nil: no tracer series
	skippedSubs *prometheus.Desc

	mu  sync.Mutex // guards buf: scrapes may run concurrently
	buf []shardmesh.ShardHealth
}

// TrackerCollectorOption configures a TrackerCollector.
type TrackerCollectorOption func(*trackerCollectorConfig) error

type trackerCollectorConfig struct {
	constLabels prometheus.Labels
	tracer      TracerSource
}

// WithTrackerConstLabels adds constant labels to every series, for example
// {"node": "7"} when a simulator registers one collector per node.
func WithTrackerConstLabels(labels prometheus.Labels) TrackerCollectorOption {
	return func(c *trackerCollectorConfig) error {
		for name := range labels {
			switch name {
			case "", "topic", "cluster", "shard", "health", "reason":
				return &OptionError{Option: "WithTrackerConstLabels", Reason: fmt.Sprintf("constant label %q is empty or used by the collector", name)}
			}
		}
		c.constLabels = labels
		return nil
	}
}

// WithTracerStats also exports the counters of the gossipsub tracer that
// feeds the tracker (usually the node's *gossipsub.Tracer).
func WithTracerStats(src TracerSource) TrackerCollectorOption {
	return func(c *trackerCollectorConfig) error {
		if src == nil {
			return &OptionError{Option: "WithTracerStats", Reason: "nil tracer source"}
		}
		c.tracer = src
		return nil
	}
}

// NewTrackerCollector returns a collector reading src (usually the node's
// *shardmesh.Tracker).
func NewTrackerCollector(src TrackerSource, opts ...TrackerCollectorOption) (*TrackerCollector, error) {
	if src == nil {
		return nil, &OptionError{Option: "source", Reason: "nil source"}
	}
	var cfg trackerCollectorConfig
	for _, o := range opts {
		if o == nil {
			return nil, &OptionError{Option: "option", Reason: "nil option"}
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	shard := []string{"cluster", "shard"}
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, cfg.constLabels)
	}
	return &TrackerCollector{
		src: src,
		meshCompat: desc("libp2p_gossipsub_peers_per_topic_mesh",
			"Peers in our gossipsub mesh per joined pubsub topic (nim-libp2p's name).", "topic"),
		mesh: desc("wakupm_shard_mesh_peers",
			"Peers in our gossipsub mesh per joined shard.", shard...),
		outbound: desc("wakupm_shard_outbound_mesh_peers",
			"Mesh peers we dialled per joined shard (gossipsub keeps at least Dout).", shard...),
		lowScore: desc("wakupm_shard_low_score_mesh_peers",
			"Mesh peers whose gossipsub score is below the tracker's threshold; not counted for health.", shard...),
		health: desc("wakupm_shard_health",
			"Mesh health per joined shard: 0 unhealthy, 1 minimally healthy, 2 sufficiently healthy.", shard...),
		nodeHealth: desc("wakupm_node_health",
			"Health of the weakest joined shard (0 when no shard is joined)."),
		nodeShards: desc("wakupm_node_shards",
			"Joined shards per health level.", "health"),
		events: desc("wakupm_tracker_events_total",
			"Events fed to the shard mesh tracker."),
		changes: desc("wakupm_tracker_health_changes_total",
			"Shard health level changes, joins and leaves included."),
		ignored: desc("wakupm_tracker_ignored_events_total",
			"Tracker events that did not fit its state and were ignored, by reason.", "reason"),
		tracer: cfg.tracer,
		skippedSubs: desc("wakupm_tracer_skipped_subscriptions_total",
			"Subscriptions of a gossipsub RPC beyond the tracer's per-RPC bound, not read."),
	}, nil
}

// Describe implements prometheus.Collector.
func (c *TrackerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.meshCompat, c.mesh, c.outbound, c.lowScore, c.health,
		c.nodeHealth, c.nodeShards, c.events, c.changes, c.ignored} {
		ch <- d
	}
	if c.tracer != nil {
		ch <- c.skippedSubs
	}
}

// Collect implements prometheus.Collector.
func (c *TrackerCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	c.buf = c.src.AppendSnapshot(c.buf[:0])
	for _, h := range c.buf {
		cluster := strconv.FormatUint(uint64(h.Shard.Cluster), 10)
		index := strconv.FormatUint(uint64(h.Shard.Index), 10)
		gauge := func(d *prometheus.Desc, v int) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), cluster, index)
		}
		ch <- prometheus.MustNewConstMetric(c.meshCompat, prometheus.GaugeValue, float64(h.MeshPeers), h.Shard.PubsubTopic())
		gauge(c.mesh, h.MeshPeers)
		gauge(c.outbound, h.OutboundMeshPeers)
		gauge(c.lowScore, h.LowScoreMeshPeers)
		gauge(c.health, int(h.Health))
	}
	c.mu.Unlock()

	n := c.src.NodeHealth()
	ch <- prometheus.MustNewConstMetric(c.nodeHealth, prometheus.GaugeValue, float64(n.Health))
	for level, count := range map[shardmesh.Health]int{
		shardmesh.Unhealthy:           n.Unhealthy,
		shardmesh.MinimallyHealthy:    n.MinimallyHealthy,
		shardmesh.SufficientlyHealthy: n.SufficientlyHealthy,
	} {
		ch <- prometheus.MustNewConstMetric(c.nodeShards, prometheus.GaugeValue, float64(count), level.String())
	}

	st := c.src.Stats()
	ch <- prometheus.MustNewConstMetric(c.events, prometheus.CounterValue, float64(st.Events))
	ch <- prometheus.MustNewConstMetric(c.changes, prometheus.CounterValue, float64(st.HealthChanges))
	for reason, v := range map[string]uint64{
		"graft_not_joined": st.IgnoredGrafts,
		"duplicate_graft":  st.DuplicateGrafts,
		"prune_not_meshed": st.IgnoredPrunes,
		"join_joined":      st.IgnoredJoins,
		"leave_not_joined": st.IgnoredLeaves,
		"foreign_topic":    st.ForeignTopics,
		"foreign_cluster":  st.ForeignClusterAnnouncements,
		"peer_limit":       st.UnrecordedPeers,
	} {
		ch <- prometheus.MustNewConstMetric(c.ignored, prometheus.CounterValue, float64(v), reason)
	}
	if c.tracer != nil {
		ch <- prometheus.MustNewConstMetric(c.skippedSubs, prometheus.CounterValue, float64(c.tracer.Stats().SkippedSubscriptions))
	}
}
