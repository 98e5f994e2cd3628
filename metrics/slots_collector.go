package metrics

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wakupm/wakupm/slots"
)

// SlotsSource hands out a snapshot of connection budget and slot pools at
// now. The libp2p shell *gater.Gater (package slots/gater) implements it; a
// node with a shell of its own builds slots.Stats from its Pools and Ledger.
type SlotsSource interface {
	Stats(now time.Time) slots.Stats
}

var _ prometheus.Collector = (*SlotsCollector)(nil)

// ErrNoSlotsSource is returned by NewSlotsCollector with a nil source: pass
// the node's *gater.Gater.
var ErrNoSlotsSource = errors.New("metrics: slots collector needs a non-nil source")

// SlotsCollector is a Prometheus collector of reserved service slots and the
// connection budget. It is pull-based: each scrape takes one snapshot of the
// source (which frees leases that expired by then). Exposed series:
//
//	wakupm_slots_capacity{service}                 gauge
//	wakupm_slots_in_use{service}                   gauge
//	wakupm_slots_admitted_total{service}           counter
//	wakupm_slots_released_total{service}           counter
//	wakupm_slots_expired_total{service}            counter
//	wakupm_slots_rejected_total{service, reason}   counter
//	wakupm_slots_budget_connections{part}          gauge
//	wakupm_slots_peers{class}                      gauge
//	wakupm_slots_connections_refused_total{reason} counter
//
// service is filter, lightpush, store or peer_exchange; reason of a
// rejection is no_slot, peer_limit, prefix_limit or relay_peer (the first
// answers 503, the next two 429); part is max, relay_inbound, relay_outbound,
// reserved, spare or headroom (slots.Budget.Headroom); class is pending, relay_inbound, service, outbound or
// closing; a refused connection's reason is a slots.Refusal name. nwaku has
// no series with these meanings (its waku_filter_peers and
// waku_lightpush_peers are never set), so every name is wakupm_.
type SlotsCollector struct {
	src         SlotsSource
	now         func() time.Time
	capacity    *prometheus.Desc
	inUse       *prometheus.Desc
	admitted    *prometheus.Desc
	released    *prometheus.Desc
	expired     *prometheus.Desc
	rejected    *prometheus.Desc
	budget      *prometheus.Desc
	peers       *prometheus.Desc
	connRefused *prometheus.Desc
}

// NewSlotsCollector returns a collector over src.
func NewSlotsCollector(src SlotsSource) (*SlotsCollector, error) {
	if src == nil {
		return nil, ErrNoSlotsSource
	}
	svc := []string{"service"}
	return &SlotsCollector{
		src: src,
		now: time.Now,
		capacity: prometheus.NewDesc("wakupm_slots_capacity",
			"Slots reserved for the clients of a service.", svc, nil),
		inUse: prometheus.NewDesc("wakupm_slots_in_use",
			"Slots of a service held by a live lease.", svc, nil),
		admitted: prometheus.NewDesc("wakupm_slots_admitted_total",
			"Leases granted for a service.", svc, nil),
		released: prometheus.NewDesc("wakupm_slots_released_total",
			"Leases of a service released by the server or on disconnect.", svc, nil),
		expired: prometheus.NewDesc("wakupm_slots_expired_total",
			"Leases of a service that expired after their TTL without activity.", svc, nil),
		rejected: prometheus.NewDesc("wakupm_slots_rejected_total",
			"Clients of a service refused a slot, by reason (no_slot answers 503, peer_limit and prefix_limit 429).",
			[]string{"service", "reason"}, nil),
		budget: prometheus.NewDesc("wakupm_slots_budget_connections",
			"The connection budget: max, relay_inbound, relay_outbound, reserved, spare, and the headroom relay dials may add while a shard is below its floor.",
			[]string{"part"}, nil),
		peers: prometheus.NewDesc("wakupm_slots_peers",
			"Connected peers by budget class.", []string{"class"}, nil),
		connRefused: prometheus.NewDesc("wakupm_slots_connections_refused_total",
			"Connections refused or closed to keep the connection budget, by reason.",
			[]string{"reason"}, nil),
	}, nil
}

// Describe implements prometheus.Collector.
func (c *SlotsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.capacity, c.inUse, c.admitted, c.released, c.expired, c.rejected, c.budget, c.peers, c.connRefused} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *SlotsCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.src.Stats(c.now())
	for _, p := range st.Pools {
		s := p.Service.String()
		ch <- slotsMetric(c.capacity, prometheus.GaugeValue, float64(p.Capacity), s)
		ch <- slotsMetric(c.inUse, prometheus.GaugeValue, float64(p.InUse), s)
		ch <- slotsMetric(c.admitted, prometheus.CounterValue, float64(p.Admitted), s)
		ch <- slotsMetric(c.released, prometheus.CounterValue, float64(p.Released), s)
		ch <- slotsMetric(c.expired, prometheus.CounterValue, float64(p.Expired), s)
		for _, r := range slots.Reasons() {
			ch <- slotsMetric(c.rejected, prometheus.CounterValue, float64(p.Rejected[r]), s, r.String())
		}
	}
	b := st.Budget
	for _, part := range []struct {
		name string
		v    int
	}{
		{"max", b.MaxConnections},
		{"relay_inbound", b.RelayInbound},
		{"relay_outbound", b.RelayOutbound},
		{"reserved", b.Reserved.Total()},
		{"spare", b.Spare()},
		{"headroom", b.Headroom()},
	} {
		ch <- slotsMetric(c.budget, prometheus.GaugeValue, float64(part.v), part.name)
	}
	for _, cl := range []slots.Class{slots.ClassPending, slots.ClassRelay, slots.ClassService, slots.ClassOutbound, slots.ClassClosing} {
		ch <- slotsMetric(c.peers, prometheus.GaugeValue, float64(st.Ledger.Peers[cl]), cl.String())
	}
	for _, r := range slots.Refusals() {
		ch <- slotsMetric(c.connRefused, prometheus.CounterValue, float64(st.Ledger.Refused[r]), r.String())
	}
}

func slotsMetric(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) prometheus.Metric {
	m, err := prometheus.NewConstMetric(d, t, v, labels...)
	if err != nil {
		// Only possible with a label count that does not match the Desc,
		// which is fixed above.
		return prometheus.NewInvalidMetric(d, fmt.Errorf("metrics: %w", err))
	}
	return m
}
