package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/examples/telemetryd/service"
	"github.com/wakupm/wakupm/metrics"
)

// TestTelemetryOfASimulationRanksItsConsumers: every honest node of a small
// simulation reports every 10 virtual seconds; imported into telemetryd's
// store, the ranking of gossipsub bytes by message type and by shard is
// the one the nodes' own accounts give at the end of the run.
func TestTelemetryOfASimulationRanksItsConsumers(t *testing.T) {
	c := smallConfig()
	c.Nodes, c.Shards, c.Duration, c.MsgRate = 12, 3, 20*time.Second, 0.5
	c.TelemetryFile, c.TelemetryInterval = "unused", 10*time.Second
	start := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	c.TelemetryStart = start.Unix()
	pol, err := policyByName(PolicyWakuPM)
	require.NoError(t, err)
	res := runInBubble(t, c, pol)
	require.Len(t, res.Telemetry, c.Nodes*2)

	store, err := service.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "sim.db"))
	require.NoError(t, err)
	defer store.Close()
	srv := service.NewServer(store, service.Config{Now: func() time.Time { return start.Add(time.Minute) }})
	var lines bytes.Buffer
	for _, r := range res.Telemetry {
		lines.Write(r)
		lines.WriteByte('\n')
	}
	n, err := srv.Import(context.Background(), &lines)
	require.NoError(t, err)
	require.Equal(t, len(res.Telemetry), n)

	type rank struct {
		key     string
		in, out int64
	}
	var byType, byShard []rank
	in, out := res.Bandwidth.GossipByType(metrics.DirectionIn), res.Bandwidth.GossipByType(metrics.DirectionOut)
	for _, typ := range metrics.MessageTypes() {
		if in[typ]+out[typ] > 0 {
			byType = append(byType, rank{typ.String(), int64(in[typ]), int64(out[typ])})
		}
	}
	shIn, shOut := res.Bandwidth.GossipByShard(metrics.DirectionIn), res.Bandwidth.GossipByShard(metrics.DirectionOut)
	for s := range c.Shards {
		sh := Generate(c).Shard(uint16(s))
		if shIn[sh]+shOut[sh] > 0 {
			byShard = append(byShard, rank{fmt.Sprint(sh.Cluster, "/", sh.Index), int64(shIn[sh]), int64(shOut[sh])})
		}
	}
	for dim, want := range map[service.Dimension][]rank{service.ByMessageType: byType, service.ByShard: byShard} {
		slices.SortFunc(want, func(a, b rank) int {
			if d := (b.in + b.out) - (a.in + a.out); d != 0 {
				return int(d)
			}
			return bytes.Compare([]byte(a.key), []byte(b.key))
		})
		got, err := store.Top(context.Background(), dim, start, start.Add(time.Hour), 100)
		require.NoError(t, err)
		var gotRank []rank
		for _, g := range got {
			gotRank = append(gotRank, rank{g.Key, g.BytesIn, g.BytesOut})
		}
		require.Equal(t, want, gotRank, "top by %s", dim)
	}
}

// TestCommandWritesTelemetryFile: the command, its runs in child
// processes, writes every honest node's reports to -telemetry-file (one
// request per line, each node every interval) and keeps them out of the
// -json output.
func TestCommandWritesTelemetryFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "reports.jsonl")
	stdout, stderr, code := runMain(t, "-nodes 8 -shards 2 -subs 1 -duration 10s -policy wakupm,static -procs 2 -json "+
		"-telemetry-file "+file+" -telemetry-interval 5s")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, stdout, "telemetry_type")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	require.Len(t, lines, 2*8*2, "2 policies x 8 nodes x 2 reports")
	for _, l := range lines {
		var items []map[string]any
		require.NoError(t, json.Unmarshal(l, &items))
		require.NotEmpty(t, items)
	}
}
