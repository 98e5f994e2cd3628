package wire

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/wakupm/wakupm/metrics/telemetry"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
)

func decodeProtocolBytes(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.ProtocolBytes
	if err := strict(data, &v); err != nil {
		return nil, v.Record, err
	}
	if err := firstError(checkHeader(v.Header, now), checkRows(len(v.Rows))); err != nil {
		return nil, v.Record, err
	}
	rows := make([]Row, 0, len(v.Rows))
	for i, r := range v.Rows {
		if err := firstError(checkLabel("protocol", r.Protocol), checkRange("bytesIn", r.BytesIn, 0, MaxBytes),
			checkRange("bytesOut", r.BytesOut, 0, MaxBytes)); err != nil {
			return nil, v.Record, fmt.Errorf("rows[%d]: %w", i, err)
		}
		rows = append(rows, Row{Table: "protocol_bytes", Time: v.Timestamp,
			Cols: []string{"interval_s", "protocol", "bytes_in", "bytes_out"},
			Vals: []any{v.IntervalSeconds, r.Protocol, int64(r.BytesIn), int64(r.BytesOut)}})
	}
	return rows, v.Record, nil
}

func decodeDiscoveryBytes(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.DiscoveryBytes
	if err := strict(data, &v); err != nil {
		return nil, v.Record, err
	}
	if err := firstError(checkHeader(v.Header, now), checkRange("bytesIn", v.BytesIn, 0, MaxBytes),
		checkRange("bytesOut", v.BytesOut, 0, MaxBytes), checkRange("packetsIn", v.PacketsIn, 0, MaxCount),
		checkRange("packetsOut", v.PacketsOut, 0, MaxCount)); err != nil {
		return nil, v.Record, err
	}
	return []Row{{Table: "discovery_bytes", Time: v.Timestamp,
		Cols: []string{"interval_s", "bytes_in", "bytes_out", "packets_in", "packets_out"},
		Vals: []any{v.IntervalSeconds, int64(v.BytesIn), int64(v.BytesOut), int64(v.PacketsIn), int64(v.PacketsOut)}}}, v.Record, nil
}

func decodeAppBytes(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.AppBytes
	if err := strict(data, &v); err != nil {
		return nil, v.Record, err
	}
	if err := firstError(checkHeader(v.Header, now), checkRows(len(v.Rows))); err != nil {
		return nil, v.Record, err
	}
	rows := make([]Row, 0, len(v.Rows))
	for i, r := range v.Rows {
		err := firstError(checkLabel("name", r.Name), checkRange("bytesIn", r.BytesIn, 0, MaxBytes),
			checkRange("bytesOut", r.BytesOut, 0, MaxBytes))
		if err == nil && r.Name == "" {
			err = fmt.Errorf("name: empty")
		}
		if err != nil {
			return nil, v.Record, fmt.Errorf("rows[%d]: %w", i, err)
		}
		rows = append(rows, Row{Table: "app_bytes", Time: v.Timestamp,
			Cols: []string{"interval_s", "name", "bytes_in", "bytes_out"},
			Vals: []any{v.IntervalSeconds, r.Name, int64(r.BytesIn), int64(r.BytesOut)}})
	}
	return rows, v.Record, nil
}

var healthLevels = []string{"", shardmesh.Unhealthy.String(), shardmesh.MinimallyHealthy.String(), shardmesh.SufficientlyHealthy.String()}

func decodeShardHealth(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.ShardHealth
	if err := strict(data, &v); err != nil {
		return nil, v.Record, err
	}
	if err := firstError(checkHeader(v.Header, now), checkRows(len(v.Rows))); err != nil {
		return nil, v.Record, err
	}
	rows := make([]Row, 0, len(v.Rows))
	for i, r := range v.Rows {
		err := firstError(checkRange("cluster", r.Cluster, 0, math.MaxUint16), checkRange("shard", r.Shard, 0, 1023),
			checkRange("meshPeers", r.MeshPeers, 0, MaxPeers), checkRange("outboundMeshPeers", r.OutboundMeshPeers, 0, r.MeshPeers),
			checkRange("lowScoreMeshPeers", r.LowScoreMeshPeers, 0, r.MeshPeers),
			checkRange("inbound", r.Inbound, 0, MaxPeers), checkRange("outbound", r.Outbound, 0, MaxPeers),
			checkRange("floor", r.Floor, 0, MaxPeers), checkRange("known", r.Known, 0, 10*MaxPeers),
			checkRange("dials", r.Dials, 0, MaxCount), checkRange("dialFailures", r.DialFailures, 0, r.Dials+MaxCount))
		if err == nil && !slices.Contains(healthLevels, r.Health) {
			err = fmt.Errorf("health %q is not one of %q", r.Health, healthLevels)
		}
		if err != nil {
			return nil, v.Record, fmt.Errorf("rows[%d]: %w", i, err)
		}
		rows = append(rows, Row{Table: "shard_health", Time: v.Timestamp,
			Cols: []string{"cluster", "shard", "health", "mesh_peers", "outbound_mesh_peers", "low_score_mesh_peers",
				"inbound", "outbound", "floor", "known", "dials", "dial_failures"},
			Vals: []any{r.Cluster, r.Shard, r.Health, r.MeshPeers, r.OutboundMeshPeers, r.LowScoreMeshPeers,
				r.Inbound, r.Outbound, r.Floor, r.Known, int64(r.Dials), int64(r.DialFailures)}})
	}
	return rows, v.Record, nil
}

var serviceNames = func() []string {
	var out []string
	for _, s := range slots.Services() {
		out = append(out, s.String())
	}
	return out
}()

func decodeSlotOccupancy(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.SlotOccupancy
	if err := strict(data, &v); err != nil {
		return nil, v.Record, err
	}
	if err := firstError(checkHeader(v.Header, now), checkRows(len(v.Services)+len(v.Peers))); err != nil {
		return nil, v.Record, err
	}
	var rows []Row
	for i, s := range v.Services {
		err := firstError(checkRange("capacity", s.Capacity, 0, MaxPeers), checkRange("inUse", s.InUse, 0, s.Capacity),
			checkRange("admitted", s.Admitted, 0, MaxCount), checkRange("rejected", s.Rejected, 0, MaxCount))
		if err == nil && !slices.Contains(serviceNames, s.Service) {
			err = fmt.Errorf("service %q is not one of %q", s.Service, serviceNames)
		}
		if err != nil {
			return nil, v.Record, fmt.Errorf("services[%d]: %w", i, err)
		}
		rows = append(rows, Row{Table: "slot_occupancy", Time: v.Timestamp,
			Cols: []string{"service", "capacity", "in_use", "admitted", "rejected"},
			Vals: []any{s.Service, s.Capacity, s.InUse, int64(s.Admitted), int64(s.Rejected)}})
	}
	for class, n := range v.Peers {
		if err := firstError(checkLabel("peers class", class), checkRange("peers["+class+"]", n, 0, MaxPeers)); err != nil {
			return nil, v.Record, err
		}
	}
	return rows, v.Record, nil
}
