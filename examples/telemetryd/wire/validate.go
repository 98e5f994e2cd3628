package wire

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/metrics/telemetry"
	"github.com/wakupm/wakupm/shardmesh"
)

type decoder func(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error)

var decoders = map[telemetry.Type]decoder{
	telemetry.TypeProtocolStats:     decodeProtocolStats,
	telemetry.TypePeerCountByShard:  decodePeerCountByShard,
	telemetry.TypePeerCountByOrigin: decodePeerCountByOrigin,
	telemetry.TypeDialFailure:       decodeDialFailure,
	telemetry.TypeGossipBytes:       decodeGossipBytes,
	telemetry.TypeProtocolBytes:     decodeProtocolBytes,
	telemetry.TypeDiscoveryBytes:    decodeDiscoveryBytes,
	telemetry.TypeAppBytes:          decodeAppBytes,
	telemetry.TypeShardHealth:       decodeShardHealth,
	telemetry.TypeSlotOccupancy:     decodeSlotOccupancy,
}

func checkLabel(field, v string) error {
	if len(v) > telemetry.MaxLabel {
		return fmt.Errorf("%s: %d bytes, at most %d", field, len(v), telemetry.MaxLabel)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s: not valid UTF-8", field)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s: control character %U", field, r)
		}
	}
	return nil
}

func checkRange[T int | int64 | uint64](field string, v, lo, hi T) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s: %d out of range [%d, %d]", field, v, lo, hi)
	}
	return nil
}

func checkTimestamp(ts int64, now time.Time) error {
	return checkRange("timestamp", ts, minTimestamp, now.Add(MaxClockAhead).Unix())
}

// checkHeader validates the fields every Wakupm* item opens with.
func checkHeader(h telemetry.Header, now time.Time) error {
	if h.Version != telemetry.SchemaVersion {
		return fmt.Errorf("version: %d not supported (this service reads version %d)", h.Version, telemetry.SchemaVersion)
	}
	if err := checkTimestamp(h.Timestamp, now); err != nil {
		return err
	}
	if math.IsNaN(h.IntervalSeconds) || h.IntervalSeconds <= 0 || h.IntervalSeconds > MaxInterval.Seconds() {
		return fmt.Errorf("intervalSeconds: %v out of range (0, %v]", h.IntervalSeconds, MaxInterval.Seconds())
	}
	return nil
}

func checkRows(n int) error {
	if n > MaxRows {
		return fmt.Errorf("rows: %d, at most %d", n, MaxRows)
	}
	return nil
}

// checkInOut checks a pair of figures named name+"In" and name+"Out"
// against [0, hi].
func checkInOut[T int64 | uint64](name string, in, out, hi T) error {
	return firstError(checkRange(name+"In", in, 0, hi), checkRange(name+"Out", out, 0, hi))
}

// checkShard checks a cluster id and a shard index.
func checkShard(cluster, shard int) error {
	return firstError(checkRange("cluster", cluster, 0, math.MaxUint16), checkRange("shard", shard, 0, shardmesh.MaxShardIndex))
}

// checkOneOf checks that field's value v is one of allowed.
func checkOneOf(field, v string, allowed []string) error {
	if !slices.Contains(allowed, v) {
		return fmt.Errorf("%s %q is not one of %q", field, v, allowed)
	}
	return nil
}

// names returns the String of each value: the labels a field allows.
func names[T fmt.Stringer](vs []T) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.String())
	}
	return out
}

// decodeHeaded decodes data strictly into v, a Wakupm* item whose header
// is h, and checks the header and the item's number of rows (rows(), once
// v is decoded).
func decodeHeaded(data json.RawMessage, v any, h *telemetry.Header, now time.Time, rows func() int) error {
	if err := strict(data, v); err != nil {
		return err
	}
	return firstError(checkHeader(*h, now), checkRows(rows()))
}

// eachRow turns the rows of an item into Rows with f, which checks each
// one first; an error names the row as label[i].
func eachRow[R any](label string, rows []R, f func(R) (Row, error)) ([]Row, error) {
	out := make([]Row, 0, len(rows))
	for i, r := range rows {
		row, err := f(r)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", label, i, err)
		}
		out = append(out, row)
	}
	return out, nil
}

func decodeProtocolStats(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.ProtocolStats
	if err := strict(data, &v); err != nil {
		return nil, telemetry.Record{}, err
	}
	var ts struct {
		Timestamp *int64 `json:"timestamp"`
	}
	_ = json.Unmarshal(data, &ts) // Status's clients add one; ours do not
	at := now.Unix()
	if ts.Timestamp != nil {
		if err := checkTimestamp(*ts.Timestamp, now); err != nil {
			return nil, telemetry.Record{}, err
		}
		at = *ts.Timestamp
	}
	var rows []Row
	for _, p := range []struct {
		name string
		m    telemetry.Metric
	}{{"relay", v.Relay}, {"store", v.Store}, {"filter-push", v.FilterPush},
		{"filter-subscribe", v.FilterSubscribe}, {"lightpush", v.Lightpush}} {
		if err := checkInOut(p.name+".total", p.m.TotalIn, p.m.TotalOut, math.MaxInt64/2); err != nil {
			return nil, telemetry.Record{}, err
		}
		for _, r := range []float64{p.m.RateIn, p.m.RateOut} {
			if math.IsNaN(r) || r < 0 || r > MaxRate {
				return nil, telemetry.Record{}, fmt.Errorf("%s: rate %v out of range [0, %v]", p.name, r, MaxRate)
			}
		}
		rows = append(rows, Row{Table: "protocol_stats", Time: at,
			Cols: []string{"protocol", "total_in", "total_out", "rate_in", "rate_out"},
			Vals: []any{p.name, p.m.TotalIn, p.m.TotalOut, p.m.RateIn, p.m.RateOut}})
	}
	if err := checkLabel("hostID", v.PeerID); err != nil {
		return nil, telemetry.Record{}, err
	}
	return rows, telemetry.Record{PeerID: v.PeerID}, nil
}

func decodePeerCountByShard(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.PeerCountByShard
	if err := strict(data, &v); err != nil {
		return nil, v.Record, err
	}
	if err := firstError(checkTimestamp(v.Timestamp, now), checkRange("shard", v.Shard, 0, shardmesh.MaxShardIndex),
		checkRange("count", v.Count, 0, MaxPeers)); err != nil {
		return nil, v.Record, err
	}
	return []Row{{Table: "peer_count_by_shard", Time: v.Timestamp, Cols: []string{"shard", "count"},
		Vals: []any{v.Shard, v.Count}}}, v.Record, nil
}

func decodePeerCountByOrigin(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.PeerCountByOrigin
	if err := strict(data, &v); err != nil {
		return nil, v.Record, err
	}
	if err := firstError(checkTimestamp(v.Timestamp, now), checkRange("origin", int64(v.Origin), 0, int64(telemetry.OriginPeerManager)),
		checkRange("count", v.Count, 0, MaxPeers)); err != nil {
		return nil, v.Record, err
	}
	return []Row{{Table: "peer_count_by_origin", Time: v.Timestamp, Cols: []string{"origin", "count"},
		Vals: []any{int64(v.Origin), v.Count}}}, v.Record, nil
}

func decodeDialFailure(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.DialFailure
	if err := strict(data, &v); err != nil {
		return nil, v.Record, err
	}
	count := v.Count
	if count == 0 {
		count = 1 // Status's clients send one item per failure, without a count
	}
	if err := firstError(checkTimestamp(v.Timestamp, now),
		checkRange("errorType", int(v.ErrorType), 0, int(telemetry.MaxDialErrorType)),
		checkLabel("errorMsg", v.ErrorMsg), checkLabel("protocols", v.Protocols),
		checkRange("count", count, 1, MaxCount)); err != nil {
		return nil, v.Record, err
	}
	return []Row{{Table: "dial_failure", Time: v.Timestamp, Cols: []string{"error_type", "error_msg", "protocols", "count"},
		Vals: []any{int(v.ErrorType), v.ErrorMsg, v.Protocols, int64(count)}}}, v.Record, nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

var (
	directions   = []string{metrics.DirectionOut.String(), metrics.DirectionIn.String(), metrics.DirectionDropped.String()}
	messageTypes = names(metrics.MessageTypes())
)

func decodeGossipBytes(data json.RawMessage, now time.Time) ([]Row, telemetry.Record, error) {
	var v telemetry.GossipBytes
	if err := decodeHeaded(data, &v, &v.Header, now, func() int { return len(v.Rows) }); err != nil {
		return nil, v.Record, err
	}
	rows, err := eachRow("rows", v.Rows, func(r telemetry.GossipRow) (Row, error) {
		var cluster, shard any
		err := firstError(checkOneOf("direction", r.Direction, directions), checkOneOf("messageType", r.MessageType, messageTypes))
		switch {
		case err != nil:
		case (r.Cluster == nil) != (r.Shard == nil):
			err = fmt.Errorf("cluster and shard must be both set or both null")
		case r.Shard != nil:
			err = checkShard(*r.Cluster, *r.Shard)
			cluster, shard = *r.Cluster, *r.Shard
		}
		return Row{Table: "gossip_bytes", Time: v.Timestamp,
				Cols: []string{"interval_s", "direction", "message_type", "cluster", "shard", "bytes", "entries"},
				Vals: []any{v.IntervalSeconds, r.Direction, r.MessageType, cluster, shard, int64(r.Bytes), int64(r.Entries)}},
			firstError(err, checkRange("bytes", r.Bytes, 0, MaxBytes), checkRange("entries", r.Entries, 0, MaxCount))
	})
	return rows, v.Record, err
}
