package wire

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/wakupm/wakupm/metrics/telemetry"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
)

func decodeProtocolBytes(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.ProtocolBytes
	if err := decodeHeaded(data, &v, &v.Header, now, func() int { return len(v.Rows) }); err != nil {
		return nil, v.Record, err
	}
	rows, err := eachRow("rows", v.Rows, func(r telemetry.ProtocolRow) (Row, error) {
		return Row{Table: "protocol_bytes", Time: v.Timestamp,
				Cols: []string{"interval_s", "protocol", "bytes_in", "bytes_out"},
				Vals: []any{v.IntervalSeconds, r.Protocol, int64(r.BytesIn), int64(r.BytesOut)}},
			firstError(checkLabel("protocol", r.Protocol), checkInOut("bytes", r.BytesIn, r.BytesOut, MaxBytes))
	})
	return rows, v.Record, err
}

func decodeDiscoveryBytes(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.DiscoveryBytes
	if err := decodeHeaded(data, &v, &v.Header, now, func() int { return 0 }); err != nil {
		return nil, v.Record, err
	}
	if err := firstError(checkInOut("bytes", v.BytesIn, v.BytesOut, MaxBytes),
		checkInOut("packets", v.PacketsIn, v.PacketsOut, MaxCount)); err != nil {
		return nil, v.Record, err
	}
	return []Row{{Table: "discovery_bytes", Time: v.Timestamp,
		Cols: []string{"interval_s", "bytes_in", "bytes_out", "packets_in", "packets_out"},
		Vals: []any{v.IntervalSeconds, int64(v.BytesIn), int64(v.BytesOut), int64(v.PacketsIn), int64(v.PacketsOut)}}}, v.Record, nil
}

func decodeAppBytes(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.AppBytes
	if err := decodeHeaded(data, &v, &v.Header, now, func() int { return len(v.Rows) }); err != nil {
		return nil, v.Record, err
	}
	rows, err := eachRow("rows", v.Rows, func(r telemetry.AppRow) (Row, error) {
		err := firstError(checkLabel("name", r.Name), checkInOut("bytes", r.BytesIn, r.BytesOut, MaxBytes))
		if err == nil && r.Name == "" {
			err = fmt.Errorf("name: empty")
		}
		return Row{Table: "app_bytes", Time: v.Timestamp,
			Cols: []string{"interval_s", "name", "bytes_in", "bytes_out"},
			Vals: []any{v.IntervalSeconds, r.Name, int64(r.BytesIn), int64(r.BytesOut)}}, err
	})
	return rows, v.Record, err
}

var healthLevels = []string{"", shardmesh.Unhealthy.String(), shardmesh.MinimallyHealthy.String(), shardmesh.SufficientlyHealthy.String()}

func decodeShardHealth(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.ShardHealth
	if err := decodeHeaded(data, &v, &v.Header, now, func() int { return len(v.Rows) }); err != nil {
		return nil, v.Record, err
	}
	rows, err := eachRow("rows", v.Rows, func(r telemetry.ShardRow) (Row, error) {
		err := firstError(checkShard(r.Cluster, r.Shard),
			checkRange("meshPeers", r.MeshPeers, 0, MaxPeers), checkRange("outboundMeshPeers", r.OutboundMeshPeers, 0, r.MeshPeers),
			checkRange("lowScoreMeshPeers", r.LowScoreMeshPeers, 0, r.MeshPeers),
			checkRange("inbound", r.Inbound, 0, MaxPeers), checkRange("outbound", r.Outbound, 0, MaxPeers),
			checkRange("floor", r.Floor, 0, MaxPeers), checkRange("known", r.Known, 0, 10*MaxPeers),
			checkRange("dials", r.Dials, 0, MaxCount), checkRange("dialFailures", r.DialFailures, 0, r.Dials+MaxCount),
			checkOneOf("health", r.Health, healthLevels))
		return Row{Table: "shard_health", Time: v.Timestamp,
			Cols: []string{"cluster", "shard", "health", "mesh_peers", "outbound_mesh_peers", "low_score_mesh_peers",
				"inbound", "outbound", "floor", "known", "dials", "dial_failures"},
			Vals: []any{r.Cluster, r.Shard, r.Health, r.MeshPeers, r.OutboundMeshPeers, r.LowScoreMeshPeers,
				r.Inbound, r.Outbound, r.Floor, r.Known, int64(r.Dials), int64(r.DialFailures)}}, err
	})
	return rows, v.Record, err
}

var services = slots.Services()

var serviceNames = names(services[:])

func decodeSlotOccupancy(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.SlotOccupancy
	if err := decodeHeaded(data, &v, &v.Header, now, func() int { return len(v.Services) + len(v.Peers) }); err != nil {
		return nil, v.Record, err
	}
	rows, err := eachRow("services", v.Services, func(s telemetry.ServiceSlots) (Row, error) {
		err := firstError(checkRange("capacity", s.Capacity, 0, MaxPeers), checkRange("inUse", s.InUse, 0, s.Capacity),
			checkRange("admitted", s.Admitted, 0, MaxCount), checkRange("rejected", s.Rejected, 0, MaxCount),
			checkOneOf("service", s.Service, serviceNames))
		return Row{Table: "slot_occupancy", Time: v.Timestamp,
			Cols: []string{"service", "capacity", "in_use", "admitted", "rejected"},
			Vals: []any{s.Service, s.Capacity, s.InUse, int64(s.Admitted), int64(s.Rejected)}}, err
	})
	if err != nil {
		return nil, v.Record, err
	}
	for class, n := range v.Peers {
		if err := firstError(checkLabel("peers class", class), checkRange("peers["+class+"]", n, 0, MaxPeers)); err != nil {
			return nil, v.Record, err
		}
	}
	return rows, v.Record, nil
}
