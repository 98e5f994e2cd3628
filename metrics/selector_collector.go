package metrics

import (
	"fmt"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wakupm/wakupm/peermanager/selection"
)

// SelectorSource is what a SelectorCollector reads at each scrape: a
// snapshot of the selection counters, pools and light-client health.
// *selector.Selector (package peermanager/selector) implements it; a bare
// *selection.Core does too, but it is not safe for concurrent use: wrap it
// so that Stats runs under its owner's lock. The collector reads only this
// interface and the pure selection.Stats, so registering it links neither
// the selector shell nor the relay Manager.
type SelectorSource interface {
	Stats() selection.Stats
}

var _ prometheus.Collector = (*SelectorCollector)(nil)

// SelectorCollector is a Prometheus collector of a light client's
// service-peer selection. At each scrape it takes one Stats snapshot of its
// source. Exposed series (protocol is the libp2p protocol id; light health
// levels are 0 unhealthy, 1 minimally healthy, 2 sufficiently healthy, as
// wakupm_shard_health):
//
//	wakupm_selector_selections_total{protocol,result}        counter: result full, partial, none
//	wakupm_selector_outcomes_total{protocol,outcome}         counter: reported outcomes of using a peer
//	wakupm_selector_replacements_total{protocol,reason}      counter: members taken out of pools, reason an outcome or "released"
//	wakupm_selector_pool_members{protocol,cluster,shard}     gauge
//	wakupm_selector_pool_live_members{protocol,cluster,shard} gauge: connected members
//	wakupm_selector_pool_target{protocol,cluster,shard}      gauge
//	wakupm_selector_light_health{cluster,shard}              gauge: 0..2, shards with a filter or light-push pool
//	wakupm_selector_notifications_dropped_total              counter: notifications a slow reader missed
//
// nwaku's waku_service_peers{protocol,peerId} labels each peer (one series
// per service peer, with a multiaddr in peerId) and is not per shard, so the
// names are not shared.
type SelectorCollector struct {
	src SelectorSource

	selections, outcomes, replacements *prometheus.Desc
	members, live, target, health      *prometheus.Desc
	dropped                            *prometheus.Desc
}

// SelectorCollectorOption configures a SelectorCollector.
type SelectorCollectorOption func(*selectorCollectorConfig) error

type selectorCollectorConfig struct {
	constLabels prometheus.Labels
}

// WithSelectorConstLabels adds constant labels to every series, for example
// {"node": "7"} when a simulator registers one collector per client.
func WithSelectorConstLabels(labels prometheus.Labels) SelectorCollectorOption {
	return func(c *selectorCollectorConfig) error {
		for name := range labels {
			switch name {
			case "", "protocol", "result", "outcome", "reason", "cluster", "shard":
				return &OptionError{Option: "WithSelectorConstLabels", Reason: fmt.Sprintf("constant label %q is empty or used by the collector", name)}
			}
		}
		c.constLabels = labels
		return nil
	}
}

// NewSelectorCollector returns a collector reading src (usually the
// client's *selector.Selector).
func NewSelectorCollector(src SelectorSource, opts ...SelectorCollectorOption) (*SelectorCollector, error) {
	if src == nil {
		return nil, &OptionError{Option: "source", Reason: "nil source"}
	}
	var cfg selectorCollectorConfig
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
	pool := []string{"protocol", "cluster", "shard"}
	return &SelectorCollector{
		src: src,
		selections: desc("wakupm_selector_selections_total",
			"Service-peer selections by protocol and result (full, partial, none).", "protocol", "result"),
		outcomes: desc("wakupm_selector_outcomes_total",
			"Reported outcomes of using a service peer, by protocol and outcome.", "protocol", "outcome"),
		replacements: desc("wakupm_selector_replacements_total",
			"Service peers taken out of a pool, by protocol and reason (the outcome, or released when no longer eligible).",
			"protocol", "reason"),
		members: desc("wakupm_selector_pool_members",
			"Members of the sticky pool of a (protocol, shard).", pool...),
		live: desc("wakupm_selector_pool_live_members",
			"Connected members of the sticky pool of a (protocol, shard).", pool...),
		target: desc("wakupm_selector_pool_target",
			"Target size of the sticky pool of a (protocol, shard).", pool...),
		health: desc("wakupm_selector_light_health",
			"Light-client health per shard from live filter and light-push pool members: 0 unhealthy, 1 minimally, 2 sufficiently healthy.",
			"cluster", "shard"),
		dropped: desc("wakupm_selector_notifications_dropped_total",
			"Selector notifications dropped because the client did not read them in time."),
	}, nil
}

// Describe implements prometheus.Collector.
func (c *SelectorCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.selections, c.outcomes, c.replacements, c.members, c.live, c.target,
		c.health, c.dropped} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *SelectorCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.src.Stats()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v int, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}
	for _, s := range st.Selections {
		counter(c.selections, s.Count, string(s.Protocol), s.Result)
	}
	for _, o := range st.Outcomes {
		counter(c.outcomes, o.Count, string(o.Protocol), o.Outcome.String())
	}
	for _, r := range st.Replacements {
		counter(c.replacements, r.Count, string(r.Protocol), r.Reason)
	}
	for _, p := range st.Pools {
		labels := []string{string(p.Protocol), strconv.FormatUint(uint64(p.Shard.Cluster), 10), strconv.FormatUint(uint64(p.Shard.Index), 10)}
		gauge(c.members, p.Members, labels...)
		gauge(c.live, p.Live, labels...)
		gauge(c.target, p.Target, labels...)
	}
	for _, h := range st.Health {
		level, ok := lightHealthLevel(h.Health)
		if !ok {
			continue
		}
		gauge(c.health, level, strconv.FormatUint(uint64(h.Shard.Cluster), 10), strconv.FormatUint(uint64(h.Shard.Index), 10))
	}
	counter(c.dropped, st.NotificationsDropped)
}

// lightHealthLevel maps a light-client health to the 0..2 scale of
// wakupm_shard_health; unknown has no level.
func lightHealthLevel(h selection.LightHealth) (int, bool) {
	switch h {
	case selection.LightUnhealthy:
		return 0, true
	case selection.LightMinimallyHealthy:
		return 1, true
	case selection.LightSufficientlyHealthy:
		return 2, true
	}
	return 0, false
}
