package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/wakupm/wakupm/metrics"
)

func itoa(i int) string { return strconv.Itoa(i) }

// writeJSON prints the reports as a JSON array, one object per policy.
func writeJSON(w io.Writer, reports []PolicyReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(reports)
}

// writeTable prints the reports side by side, one column per policy.
func writeTable(w io.Writer, c Config, sc *Scenario, reports []PolicyReport) error {
	fmt.Fprintf(w, "Scenario: %d nodes (+%d joining, %d Sybils on one IP, %d liars), cluster %d, %d shards, %s subscriptions/node,\n"+
		"  max %d connections, %v virtual, %.2g msg/s/shard of %d B, churn %.0f%%/min, %d Mbit/s links, %v latency, seed %d",
		c.Nodes, len(sc.Nodes)-c.Nodes-c.Sybils-c.Liars, c.Sybils, c.Liars, c.Cluster, c.Shards, c.Subs,
		c.MaxConns, c.Duration, c.MsgRate, c.MsgSize, 100*c.Churn, c.Bandwidth, c.Latency, c.Seed)
	if c.Repeat > 1 {
		fmt.Fprintf(w, ", %d runs per policy: mean [min-max]", c.Repeat)
	}
	fmt.Fprintf(w, "\nHealth: (honest node, subscribed shard) pairs; SufficientlyHealthy = >= 4 mesh peers, Minimally = 1-3.\n\n")

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(label string, cell func(PolicyReport) string) {
		cells := []string{label}
		for _, r := range reports {
			cells = append(cells, cell(r))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	spread := func(r PolicyReport, key string, format func(float64) string) string {
		s, ok := r.Spread[key]
		if !ok {
			return ""
		}
		return " [" + format(s[0]) + "-" + format(s[1]) + "]"
	}
	secs := func(f float64) string { return fmt.Sprintf("%.0fs", f) }
	pct := func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }
	rate := func(f float64) string { return humanRate(f) }
	timeTo := func(r PolicyReport, v *float64, reached int, key string) string {
		if v == nil {
			return "never"
		}
		s := secs(*v) + spread(r, key, secs)
		if r.Runs > 1 && reached < r.Runs {
			s += fmt.Sprintf(" (%d/%d runs)", reached, r.Runs)
		}
		return s
	}

	row("policy", func(r PolicyReport) string { return r.Policy })
	row("time to 95% sufficiently healthy", func(r PolicyReport) string {
		return timeTo(r, r.TimeTo95, r.TimeTo95Runs, "time_to_95_percent_sufficient_s")
	})
	row("time to 100% sufficiently healthy", func(r PolicyReport) string {
		return timeTo(r, r.TimeTo100, r.TimeTo100Runs, "time_to_100_percent_sufficient_s")
	})
	row("final sufficiently healthy", func(r PolicyReport) string {
		return pct(r.FinalSufficient) + spread(r, "final_sufficiently_healthy_fraction", pct)
	})
	row("final at least minimally healthy", func(r PolicyReport) string { return pct(r.FinalAtLeastMinimal) })
	row("pairs (on shards too small for 4 peers)", func(r PolicyReport) string {
		return fmt.Sprintf("%d (%d)", r.FinalPairs, r.FinalCapped)
	})
	row("worst shard (sufficient)", func(r PolicyReport) string {
		if r.WorstShard < 0 {
			return "-"
		}
		return fmt.Sprintf("%d: %s", r.WorstShard, pct(r.WorstShardFraction))
	})
	row("connections per node mean / max", func(r PolicyReport) string {
		return fmt.Sprintf("%.1f / %d", r.ConnsMean, r.ConnsMax) + spread(r, "connections_per_node_mean", func(f float64) string { return fmt.Sprintf("%.1f", f) })
	})
	if c.Sybils > 0 || c.Liars > 0 {
		row("  of which to Sybils / liars", func(r PolicyReport) string {
			return fmt.Sprintf("%.1f / %.1f", r.SybilConnsMean, r.LiarConnsMean)
		})
	}
	row("dials by the policy (failed)", func(r PolicyReport) string { return fmt.Sprintf("%d (%d)", r.Dials, r.DialFailures) })
	row("disconnects by the policy", func(r PolicyReport) string { return itoa(r.Disconnects) })
	reasons := map[string]bool{}
	for _, r := range reports {
		for k := range r.DisconnectsBy {
			reasons[k] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(reasons)) {
		row("  "+k, func(r PolicyReport) string { return itoa(r.DisconnectsBy[k]) })
	}
	row("connections opened / closed", func(r PolicyReport) string { return fmt.Sprintf("%d / %d", r.ConnsOpened, r.ConnsClosed) })
	row("gossipsub out per node", func(r PolicyReport) string {
		return rate(r.BandwidthOut["total"]) + spread(r, "gossipsub_out_bytes_per_s_per_node", rate)
	})
	for _, t := range metrics.MessageTypes() {
		row("  "+t.String(), func(r PolicyReport) string { return rate(r.BandwidthOut[t.String()]) })
	}
	row("  control (share)", func(r PolicyReport) string {
		return fmt.Sprintf("%s (%s)", rate(r.BandwidthOut["control"]), pct(ratio(r.BandwidthOut["control"], r.BandwidthOut["total"])))
	})
	row("gossipsub in per node", func(r PolicyReport) string { return rate(r.BandwidthIn["total"]) })
	row("per shard, per subscribed node min/median/max", func(r PolicyReport) string {
		v := make([]float64, 0, len(r.BandwidthPerShard))
		for _, x := range r.BandwidthPerShard {
			v = append(v, x)
		}
		if len(v) == 0 {
			return "-"
		}
		slices.Sort(v)
		return fmt.Sprintf("%s/%s/%s", rate(v[0]), rate(v[len(v)/2]), rate(v[len(v)-1]))
	})
	row("messages published", func(r PolicyReport) string { return itoa(r.Published) })
	row("delivery ratio", func(r PolicyReport) string {
		return fmt.Sprintf("%s (%d/%d)", pct(r.DeliveryRatio), r.Delivered, r.Expected) + spread(r, "delivery_ratio", pct)
	})
	row("latency p50 / p95 / max", func(r PolicyReport) string {
		return fmt.Sprintf("%.0f / %.0f / %.0f ms", r.LatencyP50, r.LatencyP95, r.LatencyMax)
	})
	row("wall time per run", func(r PolicyReport) string { return fmt.Sprintf("%.1fs", r.WallSeconds) })
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nReal GossipSub on a simulated network is not bit-for-bit repeatable: the seed fixes the scenario\n"+
		"(topology, subscriptions, churn, adversaries, messages), not gossipsub's own randomness or goroutine\n"+
		"scheduling. Use -repeat N to see the spread.\n")
	return err
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// humanRate formats bytes per second.
func humanRate(bps float64) string {
	switch {
	case bps >= 1<<20:
		return fmt.Sprintf("%.2f MiB/s", bps/(1<<20))
	case bps >= 1<<10:
		return fmt.Sprintf("%.1f KiB/s", bps/(1<<10))
	}
	return fmt.Sprintf("%.0f B/s", bps)
}
