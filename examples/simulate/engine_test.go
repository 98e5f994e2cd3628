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

// ciConfig is the CI scenario of the acceptance test: 20 nodes, 3 shards,
// one or two per node, so that every shard has enough members for
// SufficientlyHealthy (checked below).
func ciConfig() Config {
	c := DefaultConfig()
	c.Nodes = 20
	c.Shards = 3
	c.Subs = SubsRange{1, 2}
	c.Duration = 60 * time.Second
	c.MsgRate = 0.2
	c.Progress = false
	return c
}

// TestWakupmReachesFullHealth is the acceptance test: on real hosts with
// real gossipsub, the wakupm policy gets every (node, subscribed shard)
// pair to SufficientlyHealthy, and the seed fixes the scenario.
func TestWakupmReachesFullHealth(t *testing.T) {
	c := ciConfig()
	sc := Generate(c)
	require.Equal(t, sc, Generate(c), "same seed, same scenario")
	members := map[uint16]int{}
	for _, n := range sc.Nodes {
		for s := range n.Subscribed.All() {
			members[s]++
		}
	}
	for s := range uint16(c.Shards) {
		require.GreaterOrEqual(t, members[s], 5, "shard %d cannot reach 4 mesh peers", s)
	}

	pol, err := policyByName(PolicyWakuPM)
	require.NoError(t, err)
	res := runInBubble(t, c, pol)
	m := metricsOf(sc, res)
	last := res.Samples[len(res.Samples)-1]
	require.Equal(t, 1.0, m.FinalSufficient, "final curve: %v, weak pairs: %+v", m.Curve[len(m.Curve)-5:], last.Weak)
	require.NotNil(t, m.TimeTo100)
	require.Zero(t, m.FinalCapped)
	require.Greater(t, m.DeliveryRatio, 0.95)
	t.Logf("wakupm: 100%% sufficiently healthy after %.0fs, %.1f connections per node, delivery %.3f",
		*m.TimeTo100, m.ConnsMean, m.DeliveryRatio)
}
