package main

import (
	"io"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/metrics"
)

// smallConfig is a scenario CI can afford: about 20 nodes, a few shards.
func smallConfig() Config {
	c := DefaultConfig()
	c.Nodes = 20
	c.Shards = 4
	c.Subs = SubsRange{1, 2}
	c.MaxConns = 20
	c.Duration = 40 * time.Second
	c.MsgRate = 0.3
	c.Progress = false
	return c
}

func runInBubble(t *testing.T, c Config, pol policy) *runResult {
	t.Helper()
	var res *runResult
	synctest.Test(t, func(t *testing.T) {
		var err error
		res, err = runScenario(c, Generate(c), pol, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		require.NoError(t, err)
	})
	return res
}

// TestEngineMeasuresARun runs the static baseline on real hosts and checks
// that what the engine reports is consistent with the scenario.
func TestEngineMeasuresARun(t *testing.T) {
	c := smallConfig()
	sc := Generate(c)
	res := runInBubble(t, c, staticPolicy{})

	wantPairs := 0
	for _, n := range sc.Nodes {
		wantPairs += n.Subscribed.Len()
	}
	require.Len(t, res.Samples, int(c.Duration/c.Sample))
	last := res.Samples[len(res.Samples)-1]
	require.Equal(t, wantPairs, last.Pairs)
	require.Len(t, last.Conns, c.Nodes)
	require.Equal(t, c.Duration, last.At)
	require.Equal(t, c.Nodes, res.HonestNodes)
	require.InDelta(t, float64(c.Nodes)*c.Duration.Seconds(), res.NodeSeconds, 1)

	require.Equal(t, len(sc.Publishes), res.Delivery.Published)
	require.Positive(t, res.Delivery.Expected)
	require.Greater(t, fraction(res.Delivery.Delivered, res.Delivery.Expected), 0.9)
	require.Positive(t, res.PolicyStats.Dials)
	require.Positive(t, res.ConnsOpened)

	// Every honest node's traffic is between honest nodes: what they sent,
	// they received.
	out := res.Bandwidth.GossipByType(metrics.DirectionOut)
	in := res.Bandwidth.GossipByType(metrics.DirectionIn)
	require.Positive(t, out[metrics.TypeData])
	require.InEpsilon(t, float64(out[metrics.TypeData]), float64(in[metrics.TypeData]), 0.02)

	m := metricsOf(sc, res)
	require.Equal(t, last.sufficientFraction(), m.FinalSufficient)
	require.Len(t, m.Curve, len(res.Samples))
	require.Positive(t, m.BandwidthOut["total"])
	require.Positive(t, m.LatencyP50)
}
