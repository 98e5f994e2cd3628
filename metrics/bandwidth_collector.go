package metrics

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// BandwidthSource hands out a snapshot of accounted bytes.
// *BandwidthTracer and *BandwidthReporter implement it.
type BandwidthSource interface {
	BandwidthSnapshot() BandwidthSnapshot
}

var (
	_ BandwidthSource      = (*BandwidthTracer)(nil)
	_ BandwidthSource      = (*BandwidthReporter)(nil)
	_ prometheus.Collector = (*BandwidthCollector)(nil)
)

// ErrNoBandwidthSource is returned by NewBandwidthCollector without a
// usable source: pass the node's BandwidthTracer and/or BandwidthReporter.
var ErrNoBandwidthSource = errors.New("metrics: bandwidth collector needs at least one non-nil source")

// BandwidthCollector is a Prometheus collector of bandwidth accounting. It is
// pull-based: at each scrape it takes a snapshot of every source and sums
// them; nothing is done on the hot path. Exposed series:
//
//	wakupm_gossipsub_bytes_total{direction, type, cluster, shard}
//	wakupm_gossipsub_entries_total{direction, type, cluster, shard}
//	wakupm_protocol_bytes_total{protocol, direction}
//
// direction is in, out or dropped; type is a MessageType name; cluster and
// shard are empty for bytes that belong to no shard. nwaku's
// waku_relay_network_bytes has a different type label (gross/net), so the
// names are not shared.
type BandwidthCollector struct {
	sources       []BandwidthSource
	gossipBytes   *prometheus.Desc
	gossipEntries *prometheus.Desc
	protocolBytes *prometheus.Desc
}

// NewBandwidthCollector returns a collector over sources (at least one).
func NewBandwidthCollector(sources ...BandwidthSource) (*BandwidthCollector, error) {
	var kept []BandwidthSource
	for _, s := range sources {
		if s != nil {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return nil, ErrNoBandwidthSource
	}
	gossipLabels := []string{"direction", "type", "cluster", "shard"}
	return &BandwidthCollector{
		sources: kept,
		gossipBytes: prometheus.NewDesc("wakupm_gossipsub_bytes_total",
			"Bytes of gossipsub RPCs by direction, message type and shard, length prefix included.",
			gossipLabels, nil),
		gossipEntries: prometheus.NewDesc("wakupm_gossipsub_entries_total",
			"Gossipsub messages, control entries and subscriptions by direction, type and shard (overhead: RPCs).",
			gossipLabels, nil),
		protocolBytes: prometheus.NewDesc("wakupm_protocol_bytes_total",
			"Bytes on libp2p streams by protocol and direction.",
			[]string{"protocol", "direction"}, nil),
	}, nil
}

// Describe implements prometheus.Collector.
func (c *BandwidthCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.gossipBytes
	ch <- c.gossipEntries
	ch <- c.protocolBytes
}

// Collect implements prometheus.Collector.
func (c *BandwidthCollector) Collect(ch chan<- prometheus.Metric) {
	var snap BandwidthSnapshot
	for i, s := range c.sources {
		if i == 0 {
			snap = s.BandwidthSnapshot()
			continue
		}
		snap = snap.Merge(s.BandwidthSnapshot())
	}
	for _, r := range snap.Gossip {
		cluster, shard := "", ""
		if r.HasShard {
			cluster = strconv.FormatUint(uint64(r.Shard.Cluster), 10)
			shard = strconv.FormatUint(uint64(r.Shard.Index), 10)
		}
		labels := []string{r.Direction.String(), r.Type.String(), cluster, shard}
		ch <- mustCounter(c.gossipBytes, r.Bytes, labels)
		ch <- mustCounter(c.gossipEntries, r.Entries, labels)
	}
	for _, r := range snap.Protocols {
		ch <- mustCounter(c.protocolBytes, r.Bytes, []string{r.Protocol, r.Direction.String()})
	}
}

func mustCounter(d *prometheus.Desc, v uint64, labels []string) prometheus.Metric {
	m, err := prometheus.NewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	if err != nil {
		// Only possible with a label count that does not match the Desc,
		// which is fixed above.
		return prometheus.NewInvalidMetric(d, fmt.Errorf("metrics: %w", err))
	}
	return m
}
