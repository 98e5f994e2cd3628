package main

import (
	"encoding/json"
	"math"
	"slices"
	"time"

	"github.com/wakupm/wakupm/metrics"
)

// RunMetrics is what one run of one policy measured. Fractions are of
// (honest node, subscribed shard) pairs; bandwidth is gossipsub bytes per
// second of virtual time per honest node.
type RunMetrics struct {
	// TimeTo95 and TimeTo100 are the first sample at which 95 % and 100 %
	// of pairs were SufficientlyHealthy (mesh >= Dlo), in virtual seconds;
	// nil if never.
	TimeTo95  *float64 `json:"time_to_95_percent_sufficient_s"`
	TimeTo100 *float64 `json:"time_to_100_percent_sufficient_s"`
	// FinalSufficient is the SufficientlyHealthy fraction at the end;
	// FinalAtLeastMinimal counts MinimallyHealthy pairs too.
	FinalSufficient     float64 `json:"final_sufficiently_healthy_fraction"`
	FinalAtLeastMinimal float64 `json:"final_at_least_minimally_healthy_fraction"`
	FinalPairs          int     `json:"final_pairs"`
	// FinalCapped is the pairs, among FinalPairs, on shards with too few
	// subscribers in the network for SufficientlyHealthy (< Dlo+1).
	FinalCapped int `json:"final_pairs_on_too_small_shards"`
	// WorstShard is the shard with the lowest SufficientlyHealthy fraction
	// at the end.
	WorstShard         int     `json:"worst_shard"`
	WorstShardFraction float64 `json:"worst_shard_sufficient_fraction"`

	ConnsMean float64 `json:"connections_per_node_mean"`
	ConnsMax  int     `json:"connections_per_node_max"`
	// SybilConnsMean and LiarConnsMean are the connections an honest node
	// holds to adversaries at the end, on average.
	SybilConnsMean float64 `json:"sybil_connections_per_node_mean"`
	LiarConnsMean  float64 `json:"liar_connections_per_node_mean"`
	// Dials, DialFailures and Disconnects are what the policies did;
	// ConnsOpened and ConnsClosed count every outbound connection
	// established and every connection closed (by either side) at honest
	// nodes.
	Dials        int `json:"dials"`
	DialFailures int `json:"dial_failures"`
	Disconnects  int `json:"disconnects"`
	// DisconnectsBy splits Disconnects by the policy's reason.
	DisconnectsBy map[string]int `json:"disconnects_by_reason,omitempty"`
	ConnsOpened   int            `json:"connections_opened"`
	ConnsClosed   int            `json:"connections_closed"`

	// BandwidthOut and BandwidthIn are bytes/s per node by message type
	// (data, ihave, iwant, graft, prune, idontwant, subscription,
	// overhead), plus "control" (the five control types) and "total".
	BandwidthOut map[string]float64 `json:"gossipsub_out_bytes_per_s_per_node"`
	BandwidthIn  map[string]float64 `json:"gossipsub_in_bytes_per_s_per_node"`
	// BandwidthPerShard is bytes/s sent on each shard per node subscribed
	// to it (keys are shard indexes).
	BandwidthPerShard map[string]float64 `json:"gossipsub_out_bytes_per_s_per_subscribed_node_by_shard"`

	Published     int     `json:"messages_published"`
	Expected      int     `json:"deliveries_expected"`
	Delivered     int     `json:"deliveries"`
	DeliveryRatio float64 `json:"delivery_ratio"`
	LatencyP50    float64 `json:"latency_p50_ms"`
	LatencyP95    float64 `json:"latency_p95_ms"`
	LatencyMax    float64 `json:"latency_max_ms"`

	// WeakPairs lists the pairs below SufficientlyHealthy at the end,
	// with what the network and the node's policy show about them.
	WeakPairs   []weakPair   `json:"weak_pairs,omitempty"`
	Curve       []CurvePoint `json:"curve"`
	WallSeconds float64      `json:"wall_s"`
	// Telemetry is the run's telemetry reports, one request body each
	// (with -telemetry or -telemetry-file only).
	Telemetry []json.RawMessage `json:"telemetry,omitempty"`
}

// CurvePoint is one health sample.
type CurvePoint struct {
	T                float64 `json:"t_s"`
	Sufficient       float64 `json:"sufficient"`
	AtLeastMinimally float64 `json:"at_least_minimal"`
}

func seconds(d time.Duration) *float64 {
	s := d.Seconds()
	return &s
}

// metricsOf turns a run's raw measurements into its metrics.
func metricsOf(sc *Scenario, r *runResult) RunMetrics {
	m := RunMetrics{WallSeconds: r.WallSeconds, Telemetry: r.Telemetry}
	for _, s := range r.Samples {
		f := s.sufficientFraction()
		m.Curve = append(m.Curve, CurvePoint{T: s.At.Seconds(), Sufficient: f, AtLeastMinimally: fraction(s.Sufficient+s.Minimal, s.Pairs)})
		if m.TimeTo95 == nil && f >= 0.95 {
			m.TimeTo95 = seconds(s.At)
		}
		if m.TimeTo100 == nil && s.Sufficient == s.Pairs {
			m.TimeTo100 = seconds(s.At)
		}
	}
	if n := len(r.Samples); n > 0 {
		last := r.Samples[n-1]
		m.FinalSufficient = last.sufficientFraction()
		m.FinalAtLeastMinimal = fraction(last.Sufficient+last.Minimal, last.Pairs)
		m.FinalPairs = last.Pairs
		m.FinalCapped = last.Capped
		m.WeakPairs = last.Weak
		m.WorstShard, m.WorstShardFraction = -1, 1
		shards := make([]int, 0, len(last.PerShard))
		for s := range last.PerShard {
			shards = append(shards, int(s))
		}
		slices.Sort(shards)
		for _, s := range shards {
			v := last.PerShard[uint16(s)]
			if f := fraction(v[1], v[0]); f < m.WorstShardFraction || m.WorstShard < 0 {
				m.WorstShard, m.WorstShardFraction = s, f
			}
		}
		total := 0
		for _, c := range last.Conns {
			total += c
			m.ConnsMax = max(m.ConnsMax, c)
		}
		if len(last.Conns) > 0 {
			m.ConnsMean = float64(total) / float64(len(last.Conns))
			m.SybilConnsMean = float64(last.SybilConns) / float64(len(last.Conns))
			m.LiarConnsMean = float64(last.LiarConns) / float64(len(last.Conns))
		}
	}
	m.Dials, m.DialFailures, m.Disconnects = r.PolicyStats.Dials, r.PolicyStats.DialFailures, r.PolicyStats.Disconnects
	m.DisconnectsBy = r.PolicyStats.DisconnectsBy
	m.ConnsOpened, m.ConnsClosed = r.ConnsOpened, r.ConnsClosed

	m.BandwidthOut = perNodeRates(r.Bandwidth, metrics.DirectionOut, r.NodeSeconds)
	m.BandwidthIn = perNodeRates(r.Bandwidth, metrics.DirectionIn, r.NodeSeconds)
	m.BandwidthPerShard = make(map[string]float64)
	for shard, bytes := range r.Bandwidth.GossipByShard(metrics.DirectionOut) {
		if ns := r.ShardNodeSeconds[shard.Index]; ns > 0 {
			m.BandwidthPerShard[itoa(int(shard.Index))] = float64(bytes) / ns
		}
	}

	d := r.Delivery
	m.Published, m.Expected, m.Delivered = d.Published, d.Expected, d.Delivered
	m.DeliveryRatio = fraction(d.Delivered, d.Expected)
	lat := slices.Clone(d.Latencies)
	slices.Sort(lat)
	m.LatencyP50, m.LatencyP95, m.LatencyMax = percentileMs(lat, 0.5), percentileMs(lat, 0.95), percentileMs(lat, 1)
	return m
}

func perNodeRates(s metrics.BandwidthSnapshot, dir metrics.Direction, nodeSeconds float64) map[string]float64 {
	out := make(map[string]float64)
	if nodeSeconds <= 0 {
		return out
	}
	var control, total uint64
	for typ, bytes := range s.GossipByType(dir) {
		t := metrics.MessageType(typ)
		out[t.String()] = float64(bytes) / nodeSeconds
		if t.IsControl() {
			control += bytes
		}
		total += bytes
	}
	out["control"] = float64(control) / nodeSeconds
	out["total"] = float64(total) / nodeSeconds
	return out
}

func percentileMs(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i]) / float64(time.Millisecond)
}

// PolicyReport is one policy's result over every run of the scenario: the
// headline values are means over runs; Spread gives min and max when the
// scenario ran more than once.
type PolicyReport struct {
	Policy string `json:"policy"`
	RunMetrics
	Runs int `json:"runs"`
	// TimeTo95Runs and TimeTo100Runs count the runs that got there (the
	// means are over those runs).
	TimeTo95Runs  int                   `json:"time_to_95_percent_reached_in_runs"`
	TimeTo100Runs int                   `json:"time_to_100_percent_reached_in_runs"`
	Spread        map[string][2]float64 `json:"spread,omitempty"`
	Scenario      ScenarioSummary       `json:"scenario"`
	PerRun        []RunMetrics          `json:"per_run,omitempty"`
}

// ScenarioSummary repeats the scenario in every policy object so that each
// JSON object stands alone.
type ScenarioSummary struct {
	Nodes      int     `json:"nodes"`
	Sybils     int     `json:"sybils"`
	Liars      int     `json:"liars"`
	Cluster    uint16  `json:"cluster"`
	Shards     int     `json:"shards"`
	Subs       string  `json:"subscriptions_per_node"`
	MaxConns   int     `json:"max_connections"`
	DurationS  float64 `json:"duration_s"`
	MsgRate    float64 `json:"messages_per_s_per_shard"`
	MsgSize    int     `json:"message_bytes"`
	Churn      float64 `json:"churn_per_minute"`
	Seed       uint64  `json:"seed"`
	LinkMbps   int     `json:"link_mbit_s"`
	LatencyMs  float64 `json:"latency_ms"`
	NodesTotal int     `json:"nodes_including_joiners_and_adversaries"`
}

func summarise(c Config, sc *Scenario) ScenarioSummary {
	return ScenarioSummary{
		Nodes: c.Nodes, Sybils: c.Sybils, Liars: c.Liars, Cluster: c.Cluster, Shards: c.Shards, Subs: c.Subs.String(),
		MaxConns: c.MaxConns, DurationS: c.Duration.Seconds(), MsgRate: c.MsgRate, MsgSize: c.MsgSize,
		Churn: c.Churn, Seed: c.Seed, LinkMbps: c.Bandwidth, LatencyMs: float64(c.Latency) / float64(time.Millisecond),
		NodesTotal: len(sc.Nodes),
	}
}

// spreadKeys are the values whose min and max are reported across runs.
var spreadKeys = []struct {
	name string
	get  func(RunMetrics) (float64, bool)
}{
	{"time_to_95_percent_sufficient_s", func(m RunMetrics) (float64, bool) { return deref(m.TimeTo95) }},
	{"time_to_100_percent_sufficient_s", func(m RunMetrics) (float64, bool) { return deref(m.TimeTo100) }},
	{"final_sufficiently_healthy_fraction", func(m RunMetrics) (float64, bool) { return m.FinalSufficient, true }},
	{"connections_per_node_mean", func(m RunMetrics) (float64, bool) { return m.ConnsMean, true }},
	{"gossipsub_out_bytes_per_s_per_node", func(m RunMetrics) (float64, bool) { return m.BandwidthOut["total"], true }},
	{"delivery_ratio", func(m RunMetrics) (float64, bool) { return m.DeliveryRatio, true }},
	{"latency_p95_ms", func(m RunMetrics) (float64, bool) { return m.LatencyP95, true }},
}

func deref(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

// aggregate reduces the runs of one policy to its report.
func aggregate(policy string, c Config, sc *Scenario, runs []RunMetrics) PolicyReport {
	rep := PolicyReport{Policy: policy, Runs: len(runs), Scenario: summarise(c, sc)}
	if len(runs) == 0 {
		return rep
	}
	if len(runs) == 1 {
		rep.RunMetrics = runs[0]
		rep.TimeTo95Runs, rep.TimeTo100Runs = boolInt(runs[0].TimeTo95 != nil), boolInt(runs[0].TimeTo100 != nil)
		return rep
	}
	rep.PerRun = runs
	n := float64(len(runs))
	mean := RunMetrics{
		BandwidthOut: map[string]float64{}, BandwidthIn: map[string]float64{}, BandwidthPerShard: map[string]float64{},
		WorstShard: runs[0].WorstShard, WorstShardFraction: runs[0].WorstShardFraction,
		Curve: runs[0].Curve,
	}
	var t95, t100 []float64
	for _, r := range runs {
		if v, ok := deref(r.TimeTo95); ok {
			t95 = append(t95, v)
		}
		if v, ok := deref(r.TimeTo100); ok {
			t100 = append(t100, v)
		}
		mean.FinalSufficient += r.FinalSufficient / n
		mean.FinalAtLeastMinimal += r.FinalAtLeastMinimal / n
		mean.FinalPairs = r.FinalPairs
		mean.FinalCapped = max(mean.FinalCapped, r.FinalCapped)
		if r.WorstShardFraction < mean.WorstShardFraction {
			mean.WorstShard, mean.WorstShardFraction = r.WorstShard, r.WorstShardFraction
		}
		mean.ConnsMean += r.ConnsMean / n
		mean.ConnsMax = max(mean.ConnsMax, r.ConnsMax)
		mean.SybilConnsMean += r.SybilConnsMean / n
		mean.LiarConnsMean += r.LiarConnsMean / n
		mean.WeakPairs = append(mean.WeakPairs, r.WeakPairs...)
		mean.Dials += r.Dials
		mean.DialFailures += r.DialFailures
		mean.Disconnects += r.Disconnects
		mean.ConnsOpened += r.ConnsOpened
		mean.ConnsClosed += r.ConnsClosed
		for k, v := range r.BandwidthOut {
			mean.BandwidthOut[k] += v / n
		}
		for k, v := range r.BandwidthIn {
			mean.BandwidthIn[k] += v / n
		}
		for k, v := range r.BandwidthPerShard {
			mean.BandwidthPerShard[k] += v / n
		}
		mean.Published += r.Published
		mean.Expected += r.Expected
		mean.Delivered += r.Delivered
		mean.DeliveryRatio += r.DeliveryRatio / n
		mean.LatencyP50 += r.LatencyP50 / n
		mean.LatencyP95 += r.LatencyP95 / n
		mean.LatencyMax = max(mean.LatencyMax, r.LatencyMax)
		mean.WallSeconds += r.WallSeconds / n
	}
	// Counts are per run.
	for _, p := range []*int{&mean.Dials, &mean.DialFailures, &mean.Disconnects, &mean.ConnsOpened, &mean.ConnsClosed,
		&mean.Published, &mean.Expected, &mean.Delivered} {
		*p = int(math.Round(float64(*p) / n))
	}
	if len(t95) > 0 {
		v := meanOf(t95)
		mean.TimeTo95 = &v
	}
	if len(t100) > 0 {
		v := meanOf(t100)
		mean.TimeTo100 = &v
	}
	rep.RunMetrics = mean
	rep.TimeTo95Runs, rep.TimeTo100Runs = len(t95), len(t100)
	rep.Spread = map[string][2]float64{}
	for _, k := range spreadKeys {
		lo, hi, any := math.Inf(1), math.Inf(-1), false
		for _, r := range runs {
			if v, ok := k.get(r); ok {
				lo, hi, any = min(lo, v), max(hi, v), true
			}
		}
		if any {
			rep.Spread[k.name] = [2]float64{lo, hi}
		}
	}
	return rep
}

func meanOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
