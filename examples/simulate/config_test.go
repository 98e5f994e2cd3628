package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseFlagsDefaults(t *testing.T) {
	c, err := ParseFlags(nil, &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, DefaultConfig(), c)
	require.Equal(t, 200, c.Nodes)
	require.Equal(t, 16, c.Shards)
	require.Equal(t, SubsRange{1, 6}, c.Subs)
	require.Equal(t, 50, c.MaxConns)
	require.Equal(t, 2*time.Minute, c.Duration)
	require.Equal(t, []string{"wakupm", "nwaku", "gowaku"}, c.Policies)
}

func TestParseFlagsAll(t *testing.T) {
	c, err := ParseFlags(strings.Fields("-nodes 300 -cluster 2 -shards 128 -subs 1-100 -max-conns 40 -duration 90s "+
		"-msg-rate 2 -msg-size 1024 -churn 0.05 -sybils 10 -sybil-leave 0.5 -liars 5 -seed 7 -policy nwaku,static "+
		"-repeat 3 -bandwidth 20 -latency 50ms -sample 2s -json -plot out.svg -progress=false -procs 3 "+
		"-telemetry http://127.0.0.1:8080 -telemetry-file r.jsonl -telemetry-interval 10s -telemetry-start 1796299200"), &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, Config{
		Nodes: 300, Cluster: 2, Shards: 128, Subs: SubsRange{1, 100}, MaxConns: 40, Duration: 90 * time.Second,
		MsgRate: 2, MsgSize: 1024, Churn: 0.05, Sybils: 10, SybilLeave: 0.5, Liars: 5, Seed: 7,
		Policies: []string{"nwaku", "static"}, Repeat: 3, Bandwidth: 20, Latency: 50 * time.Millisecond,
		Sample: 2 * time.Second, JSON: true, Plot: "out.svg", Progress: false, Procs: 3,
		TelemetryURL: "http://127.0.0.1:8080", TelemetryFile: "r.jsonl", TelemetryInterval: 10 * time.Second,
		TelemetryStart: 1796299200,
	}, c)
}

func TestParseFlagsRejects(t *testing.T) {
	for _, args := range []string{
		"-nodes 1", "-shards 0", "-shards 1025", "-subs 0", "-subs 5-2", "-subs 1-101 -shards 200",
		"-subs 1-20", "-max-conns 0", "-duration 1s", "-msg-rate -1", "-msg-size 3", "-churn 0.9",
		"-sybils -1", "-sybil-leave 1", "-liars -2", "-policy ,", "-policy bogus", "-policy nwaku,nwaku",
		"-repeat 0", "-procs 0", "-bandwidth 0", "-latency -1ms", "-sample 10ms", "-cluster 70000", "extra",
		"-telemetry-file r.jsonl -telemetry-interval 500ms", "-telemetry-file r.jsonl -telemetry-interval 1h",
		"-telemetry-start -1",
	} {
		_, err := ParseFlags(strings.Fields(args), &bytes.Buffer{})
		require.ErrorIs(t, err, ErrInvalidConfig, "%q", args)
	}
	_, err := ParseFlags([]string{"-subs", "x"}, &bytes.Buffer{})
	require.Error(t, err)
}

func TestParseFlagsHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := ParseFlags([]string{"-h"}, &out)
	require.True(t, errors.Is(err, flag.ErrHelp))
	for _, want := range []string{"-nodes", "-subs", "-churn", "-sybils", "-liars", "-policy", "-plot", "-json", "wakupm", "gowaku"} {
		require.Contains(t, out.String(), want)
	}
}
