package main

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/wakupm/wakupm/shardmesh/protected"
)

// nodeCollector exports the node's own counters at scrape time:
//
//	waku_msg_validator_signed_outcome{result}                    counter: nwaku's protected-shard outcomes (Accept, Reject, Ignore)
//	wakupm_protected_messages_total{cluster,shard,result,reason} counter: the same by shard and reason
//	wakupm_protected_replay_entries{cluster,shard}               gauge: signing hashes remembered against replays
//	wakupm_relay_messages_received_total{cluster,shard}          counter: messages delivered to the node's subscription
//	wakupm_relay_unprotected_validations_total{result}           counter: accept/reject on unprotected shards (reject: undecodable)
//
// waku_msg_validator_signed_outcome keeps nwaku's name and result values
// (waku/factory/validator_signed.nim) so existing dashboards work.
type nodeCollector struct {
	n *Node
}

var _ prometheus.Collector = (*nodeCollector)(nil)

var (
	descSignedOutcome = prometheus.NewDesc("waku_msg_validator_signed_outcome",
		"Protected-shard validation outcomes (nwaku's series).", []string{"result"}, nil)
	descProtected = prometheus.NewDesc("wakupm_protected_messages_total",
		"Protected-shard validations by shard, result and reason.", []string{"cluster", "shard", "result", "reason"}, nil)
	descReplayEntries = prometheus.NewDesc("wakupm_protected_replay_entries",
		"Signing hashes of accepted messages remembered until their timestamp leaves the window.", []string{"cluster", "shard"}, nil)
	descReceived = prometheus.NewDesc("wakupm_relay_messages_received_total",
		"Messages delivered to the node's subscription of a shard, its own included.", []string{"cluster", "shard"}, nil)
	descUnprotected = prometheus.NewDesc("wakupm_relay_unprotected_validations_total",
		"Validations on unprotected shards (reject: not a WakuMessage).", []string{"result"}, nil)
)

// nwakuResult is nim-libp2p's ValidationResult name of a result.
var nwakuResult = [...]string{protected.Accept: "Accept", protected.Reject: "Reject", protected.Ignore: "Ignore"}

func (c *nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSignedOutcome, descProtected, descReplayEntries, descReceived, descUnprotected} {
		ch <- d
	}
}

func (c *nodeCollector) Collect(ch chan<- prometheus.Metric) {
	var outcome [len(nwakuResult)]uint64
	for _, p := range c.n.protections() {
		cluster, shard := strconv.Itoa(int(p.shard.Cluster)), strconv.Itoa(int(p.shard.Index))
		st := p.validator.Stats()
		for r, count := range st.ByReason {
			reason := protected.Reason(r)
			outcome[reason.Result()] += count
			ch <- prometheus.MustNewConstMetric(descProtected, prometheus.CounterValue, float64(count),
				cluster, shard, reason.Result().String(), reason.String())
		}
		ch <- prometheus.MustNewConstMetric(descReplayEntries, prometheus.GaugeValue, float64(st.ReplayEntries), cluster, shard)
	}
	for r := protected.Accept; r <= protected.Ignore; r++ {
		ch <- prometheus.MustNewConstMetric(descSignedOutcome, prometheus.CounterValue, float64(outcome[r]), nwakuResult[r])
	}
	c.n.mu.RLock()
	shards := make([]*relayShard, 0, len(c.n.shards))
	for _, rs := range c.n.shards {
		shards = append(shards, rs)
	}
	c.n.mu.RUnlock()
	for _, rs := range shards {
		rs.mu.Lock()
		count := rs.received
		rs.mu.Unlock()
		ch <- prometheus.MustNewConstMetric(descReceived, prometheus.CounterValue, float64(count),
			strconv.Itoa(int(rs.shard.Cluster)), strconv.Itoa(int(rs.shard.Index)))
	}
	ch <- prometheus.MustNewConstMetric(descUnprotected, prometheus.CounterValue,
		float64(c.n.stats.unprotectedAccepted.Load()), "accept")
	ch <- prometheus.MustNewConstMetric(descUnprotected, prometheus.CounterValue,
		float64(c.n.stats.unprotectedMalformed.Load()), "reject")
}

// registerRuntime adds the Go runtime and process collectors.
func registerRuntime(reg *prometheus.Registry) error {
	for _, c := range []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
