package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/wakupm/wakupm/metrics/telemetry"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
)

// Telemetry from a simulation: every honest node gets a metrics/telemetry
// Builder over its own snapshots (gossipsub bytes by type and shard, and,
// for the Manager policies, the relay snapshot and the mesh tracker), and
// every TelemetryInterval of virtual time each live node's report is kept.
// Reports leave the synctest bubble with the run's metrics; the parent
// process then writes them to TelemetryFile and POSTs them to TelemetryURL,
// so that a simulated network ends as rows in the same database real nodes
// report to.

// telemetrySources returns the sources of node sn.
func telemetrySources(sn *simNode) telemetry.Sources {
	src := telemetry.Sources{Gossip: sn.bw.BandwidthSnapshot}
	if m, ok := sn.pol.(*managerNode); ok {
		src.Relay = func() relay.Snapshot {
			if m.mgr == nil {
				return relay.Snapshot{}
			}
			return m.mgr.Snapshot()
		}
		src.Mesh = func() []shardmesh.ShardHealth { return m.tracker.Snapshot() }
	}
	return src
}

// telemetryStamp maps the bubble's virtual time to the wall-clock time
// reports are stamped with.
func (e *engine) telemetryStamp() time.Time {
	return time.Unix(e.cfg.TelemetryStart, 0).Add(time.Since(e.start))
}

// startTelemetry gives node i its report builder.
func (e *engine) startTelemetry(i int, sn *simNode) {
	if !e.cfg.telemetry() || sn.spec.Role != Honest {
		return
	}
	id := string(sn.node.ID())
	rec := telemetry.Record{NodeName: fmt.Sprintf("%s-%d", e.pol.Name(), i), StatusVersion: "wakupm-simulate",
		DeviceType: "simulation", PeerID: telemetry.HashPeerID(e.pol.Name() + "/" + id)}
	sn.telemetry = telemetry.NewBuilder(rec, telemetrySources(sn), e.telemetryStamp())
}

// recordTelemetry keeps one report of every live honest node.
func (e *engine) recordTelemetry() error {
	now := e.telemetryStamp()
	for _, sn := range e.nodes {
		if sn == nil || sn.telemetry == nil || !sn.left.IsZero() {
			continue
		}
		items, err := sn.telemetry.Build(now)
		if err != nil {
			return err
		}
		line, err := json.Marshal(items)
		if err != nil {
			return err
		}
		e.telemetry = append(e.telemetry, line)
	}
	return nil
}

// deliverTelemetry writes the reports of every run to cfg.TelemetryFile
// and sends them to cfg.TelemetryURL.
func deliverTelemetry(cfg Config, results [][]RunMetrics) error {
	var reports []json.RawMessage
	for _, runs := range results {
		for _, r := range runs {
			reports = append(reports, r.Telemetry...)
		}
	}
	if cfg.TelemetryFile != "" {
		var buf bytes.Buffer
		for _, r := range reports {
			buf.Write(r)
			buf.WriteByte('\n')
		}
		if err := os.WriteFile(cfg.TelemetryFile, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("-telemetry-file: %w", err)
		}
	}
	if cfg.TelemetryURL != "" {
		if err := sendTelemetry(cfg.TelemetryURL, reports); err != nil {
			return fmt.Errorf("-telemetry: %w", err)
		}
	}
	return nil
}

// maxBatchItems keeps a request under telemetryd's item limit.
const maxBatchItems = 4000

// sendTelemetry POSTs the reports, several nodes' per request, waiting out
// the service's 429s (its rate limit is per client, and all of a
// simulation's nodes are one client).
func sendTelemetry(service string, reports []json.RawMessage) error {
	endpoint := service + telemetry.RecordMetricsPath
	client := &http.Client{Timeout: 30 * time.Second}
	for len(reports) > 0 {
		var batch []json.RawMessage
		for len(reports) > 0 {
			var items []json.RawMessage
			if err := json.Unmarshal(reports[0], &items); err != nil {
				return err
			}
			if len(batch) > 0 && len(batch)+len(items) > maxBatchItems {
				break
			}
			for _, it := range items {
				batch = append(batch, renumber(it, len(batch)+1))
			}
			reports = reports[1:]
		}
		body, err := json.Marshal(batch)
		if err != nil {
			return err
		}
		for attempt := 0; ; attempt++ {
			resp, err := client.Post(endpoint, "application/json", bytes.NewReader(body))
			if err != nil {
				return err
			}
			answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				break
			}
			if resp.StatusCode != http.StatusTooManyRequests || attempt >= 20 {
				return fmt.Errorf("service answered %s: %s", resp.Status, answer)
			}
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			time.Sleep(time.Duration(max(wait, 1)) * time.Second)
		}
	}
	return nil
}

// renumber sets an item's id (ids must be unique within a request).
func renumber(item json.RawMessage, id int) json.RawMessage {
	var it telemetry.Item
	if json.Unmarshal(item, &it) != nil {
		return item
	}
	it.ID = id
	out, err := json.Marshal(it)
	if err != nil {
		return item
	}
	return out
}
