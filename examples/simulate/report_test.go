package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/shardmesh"
)

func syntheticRun() *runResult {
	acc, _ := metrics.NewBandwidth()
	acc.AddGossip(metrics.DirectionOut, metrics.TypeData, shardmesh.Shard{Cluster: 16, Index: 1}.PubsubTopic(), 1000, 10)
	acc.AddGossip(metrics.DirectionOut, metrics.TypeIHave, shardmesh.Shard{Cluster: 16, Index: 1}.PubsubTopic(), 200, 10)
	acc.AddGossip(metrics.DirectionOut, metrics.TypeGraft, shardmesh.Shard{Cluster: 16, Index: 2}.PubsubTopic(), 50, 1)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	return &runResult{
		Policy: "x",
		Samples: []sample{
			{At: 1 * time.Second, Pairs: 10, Sufficient: 5, Minimal: 3},
			{At: 2 * time.Second, Pairs: 10, Sufficient: 9, Minimal: 1},
			{At: 3 * time.Second, Pairs: 10, Sufficient: 10},
			{At: 4 * time.Second, Pairs: 10, Sufficient: 9, Minimal: 1, Capped: 2, Conns: []int{3, 5, 7},
				PerShard: map[uint16][2]int{1: {6, 6}, 2: {4, 3}}},
		},
		Delivery:         deliveryStats{Published: 3, Expected: 10, Delivered: 8, Latencies: []time.Duration{ms(40), ms(20), ms(60), ms(20), ms(20), ms(20), ms(20), ms(100)}},
		Bandwidth:        acc.Snapshot(),
		NodeSeconds:      10,
		ShardNodeSeconds: map[uint16]float64{1: 5, 2: 2},
		PolicyStats:      policyStats{Dials: 7, DialFailures: 1, Disconnects: 2, DisconnectsBy: map[string]int{"colocation": 2}},
		ConnsOpened:      7,
		ConnsClosed:      3,
	}
}

func TestMetricsOfRun(t *testing.T) {
	m := metricsOf(nil, syntheticRun())
	require.NotNil(t, m.TimeTo95)
	require.Equal(t, 3.0, *m.TimeTo95)
	require.Equal(t, 3.0, *m.TimeTo100)
	require.Equal(t, 0.9, m.FinalSufficient)
	require.Equal(t, 1.0, m.FinalAtLeastMinimal)
	require.Equal(t, 2, m.FinalCapped)
	require.Equal(t, 2, m.WorstShard)
	require.Equal(t, 0.75, m.WorstShardFraction)
	require.Equal(t, 5.0, m.ConnsMean)
	require.Equal(t, 7, m.ConnsMax)
	require.Equal(t, 100.0, m.BandwidthOut["data"])
	require.Equal(t, 20.0, m.BandwidthOut["ihave"])
	require.Equal(t, 25.0, m.BandwidthOut["control"])
	require.Equal(t, 125.0, m.BandwidthOut["total"])
	require.Equal(t, map[string]float64{"1": 240, "2": 25}, m.BandwidthPerShard)
	require.Equal(t, 0.8, m.DeliveryRatio)
	require.Equal(t, 20.0, m.LatencyP50)
	require.Equal(t, 100.0, m.LatencyP95)
	require.Equal(t, 100.0, m.LatencyMax)
	require.Equal(t, map[string]int{"colocation": 2}, m.DisconnectsBy)
	require.Len(t, m.Curve, 4)
}

func TestAggregateReportsMeanAndSpread(t *testing.T) {
	a := metricsOf(nil, syntheticRun())
	b := a
	never := b
	never.TimeTo100 = nil
	never.FinalSufficient = 0.5
	never.DeliveryRatio = 0.6
	rep := aggregate("wakupm", DefaultConfig(), &Scenario{}, []RunMetrics{a, never})
	require.Equal(t, "wakupm", rep.Policy)
	require.Equal(t, 2, rep.Runs)
	require.Equal(t, 0.7, rep.FinalSufficient)
	require.InDelta(t, 0.7, rep.DeliveryRatio, 1e-9)
	require.Equal(t, 1, rep.TimeTo100Runs)
	require.Equal(t, 2, rep.TimeTo95Runs)
	require.Equal(t, 3.0, *rep.TimeTo100)
	require.Equal(t, [2]float64{0.5, 0.9}, rep.Spread["final_sufficiently_healthy_fraction"])
	require.Equal(t, [2]float64{3, 3}, rep.Spread["time_to_100_percent_sufficient_s"])
	require.Len(t, rep.PerRun, 2)

	single := aggregate("nwaku", DefaultConfig(), &Scenario{}, []RunMetrics{a})
	require.Nil(t, single.Spread)
	require.Equal(t, a.FinalSufficient, single.FinalSufficient)
}

func TestOutputsRender(t *testing.T) {
	c := DefaultConfig()
	sc := &Scenario{Nodes: make([]NodeSpec, c.Nodes)}
	m := metricsOf(sc, syntheticRun())
	reports := []PolicyReport{aggregate("wakupm", c, sc, []RunMetrics{m, m}), aggregate("nwaku", c, sc, []RunMetrics{m})}

	var table bytes.Buffer
	require.NoError(t, writeTable(&table, c, sc, reports))
	for _, want := range []string{"wakupm", "nwaku", "3s [3s-3s]", "90.0%", "colocation", "80.0% (8/10)"} {
		require.Contains(t, table.String(), want)
	}

	var svg bytes.Buffer
	require.NoError(t, writePlot(&svg, "title <&>", 4, reports))
	dec := xml.NewDecoder(&svg)
	lines := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the SVG must be well-formed XML")
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "polyline" {
			lines++
		}
	}
	require.Equal(t, 4, lines, "two curves per policy")
	require.True(t, strings.HasPrefix(humanRate(2048), "2.0 KiB/s"))
	require.Equal(t, 50.0, niceStep(41))
}
