package metrics

import (
	"fmt"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wakupm/wakupm/peermanager/relay"
)

// RelaySource is what a PeerManagerCollector reads at each scrape: a
// relay.Snapshot. *peermanager.Manager implements it, and so does
// *relay.Core, for a shell of one's own. The collector depends on the pure
// relay package only, so registering it links no libp2p shell.
type RelaySource interface {
	Snapshot() relay.Snapshot
}

var (
	_ RelaySource          = (*relay.Core)(nil)
	_ prometheus.Collector = (*PeerManagerCollector)(nil)
)

// PeerManagerCollector is a Prometheus collector of the relay peer
// manager. It is pull-based: each scrape takes one Snapshot of its source;
// nothing is counted on the manager's hot path beyond the core's own
// counters. Series:
//
//	wakupm_relay_shard_peers{cluster,shard,direction}   gauge: connected relay peers per subscribed shard
//	wakupm_relay_shard_floor{cluster,shard}             gauge: the shard's current floor
//	wakupm_relay_peers{direction}                       gauge: connected relay peers
//	wakupm_relay_dials_total{outcome}                   counter: started, succeeded, failed, expired, closed_early
//	wakupm_relay_disconnects_total{reason}              counter: the policy's disconnections by reason
//	wakupm_relay_discovery_requests_total{cluster,shard} counter: on-demand discovery requests
//	wakupm_relay_prune_searches_total{result}           counter: prunes whose greedy plan fell short (result: reached_target, kept_greedy)
//	wakupm_relay_misreports_total                       counter: peers that advertised our shards and announced none (RELAY-33)
//	wakupm_peer_book_size                               gauge: peer records (nwaku: waku_peer_store_size)
//	wakupm_peer_book_forgotten_total                    counter: records dropped after failures or as misfits
//	wakupm_relay_events_queued                          gauge: Manager queue entries waiting for its loop
//	wakupm_relay_events_dropped_total                   counter: events the Manager's bounded queue dropped
//
// nwaku's waku_connected_peers_per_shard counts every connection by ENR;
// these count relay peers by the shards the book holds (metadata first), so
// they get wakupm_ names.
type PeerManagerCollector struct {
	src RelaySource

	shardPeers, floor, peers, dials, disconnects, discovery, bookSize, forgotten *prometheus.Desc
	eventsQueued, eventsDropped, pruneSearches, misreports                       *prometheus.Desc
}

// PeerManagerCollectorOption configures a PeerManagerCollector.
type PeerManagerCollectorOption func(*peerManagerCollectorConfig) error

type peerManagerCollectorConfig struct {
	constLabels prometheus.Labels
}

// WithPeerManagerConstLabels adds constant labels to every series, such as
// {"node": "7"} or {"policy": "nwaku"} in a simulator.
func WithPeerManagerConstLabels(labels prometheus.Labels) PeerManagerCollectorOption {
	return func(c *peerManagerCollectorConfig) error {
		for name := range labels {
			switch name {
			case "", "cluster", "shard", "direction", "outcome", "reason":
				return &OptionError{Option: "WithPeerManagerConstLabels", Reason: fmt.Sprintf("constant label %q is empty or used by the collector", name)}
			}
		}
		c.constLabels = labels
		return nil
	}
}

// NewPeerManagerCollector returns a collector reading src (usually the
// node's *peermanager.Manager).
func NewPeerManagerCollector(src RelaySource, opts ...PeerManagerCollectorOption) (*PeerManagerCollector, error) {
	if src == nil {
		return nil, &OptionError{Option: "source", Reason: "nil source"}
	}
	var cfg peerManagerCollectorConfig
	for _, o := range opts {
		if o == nil {
			return nil, &OptionError{Option: "option", Reason: "nil option"}
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, cfg.constLabels)
	}
	return &PeerManagerCollector{
		src: src,
		shardPeers: desc("wakupm_relay_shard_peers",
			"Connected relay peers advertising a subscribed shard, by direction; a peer on several shards counts for each.",
			"cluster", "shard", "direction"),
		floor: desc("wakupm_relay_shard_floor",
			"Connected relay peers the policy wants on a subscribed shard (raised while its mesh is not sufficiently healthy).",
			"cluster", "shard"),
		peers: desc("wakupm_relay_peers", "Connected relay peers by direction.", "direction"),
		dials: desc("wakupm_relay_dials_total",
			"Dials of the relay policy by outcome (started, succeeded, failed, expired: never reported back, closed_early: succeeded but the peer closed within the early-close window, counted as failed for backoff).", "outcome"),
		disconnects: desc("wakupm_relay_disconnects_total",
			"Disconnections decided by the relay policy, by reason.", "reason"),
		discovery: desc("wakupm_relay_discovery_requests_total",
			"On-demand discovery requests for a shard below its floor.", "cluster", "shard"),
		pruneSearches: desc("wakupm_relay_prune_searches_total",
			"Prune passes whose greedy order fell short of the targets, so that the exact search ran, by result (reached_target: it found removals that reach them; kept_greedy: none exist or the search ran out of budget).",
			"result"),
		bookSize:  desc("wakupm_peer_book_size", "Peer records in the peer book."),
		forgotten: desc("wakupm_peer_book_forgotten_total", "Peer records dropped after repeated dial failures or as misfits."),
		misreports: desc("wakupm_relay_misreports_total",
			"Connected relay peers whose gossipsub announcements named none of the subscribed shards they advertised (RFC RELAY-33)."),
		eventsQueued: desc("wakupm_relay_events_queued",
			"Entries (one per peer or shard with pending events) in the Manager's event queue, waiting for its loop."),
		eventsDropped: desc("wakupm_relay_events_dropped_total",
			"Discovery, RTT, identify and metadata events the Manager's bounded event queue dropped while full."),
	}, nil
}

// Describe implements prometheus.Collector.
func (c *PeerManagerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.shardPeers, c.floor, c.peers, c.dials, c.disconnects,
		c.discovery, c.pruneSearches, c.bookSize, c.forgotten, c.eventsQueued, c.eventsDropped, c.misreports} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *PeerManagerCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.src.Snapshot()
	cluster := strconv.FormatUint(uint64(s.Cluster), 10)
	gauge := func(d *prometheus.Desc, v int, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	for _, sh := range s.Shards {
		index := strconv.FormatUint(uint64(sh.Shard.Index), 10)
		gauge(c.shardPeers, sh.Inbound, cluster, index, "inbound")
		gauge(c.shardPeers, sh.Outbound, cluster, index, "outbound")
		gauge(c.floor, sh.Floor, cluster, index)
	}
	gauge(c.peers, s.RelayInbound, "inbound")
	gauge(c.peers, s.RelayOutbound, "outbound")
	counter(c.dials, s.Stats.DialsStarted, "started")
	counter(c.dials, s.Stats.DialsSucceeded, "succeeded")
	counter(c.dials, s.Stats.DialsFailed, "failed")
	counter(c.dials, s.Stats.DialsExpired, "expired")
	counter(c.dials, s.Stats.DialsClosedEarly, "closed_early")
	for _, r := range relay.DisconnectReasons() {
		counter(c.disconnects, s.Stats.Disconnects[r], r.String())
	}
	for _, d := range s.Discovery {
		counter(c.discovery, d.Count, strconv.FormatUint(uint64(d.Shard.Cluster), 10), strconv.FormatUint(uint64(d.Shard.Index), 10))
	}
	counter(c.pruneSearches, s.Stats.PruneSearchRescues, "reached_target")
	counter(c.pruneSearches, s.Stats.PruneSearches-s.Stats.PruneSearchRescues, "kept_greedy")
	gauge(c.bookSize, s.BookSize)
	counter(c.forgotten, s.Stats.Forgotten)
	counter(c.misreports, s.Stats.Misreports)
	gauge(c.eventsQueued, s.EventsQueued)
	counter(c.eventsDropped, s.EventsDropped)
}
