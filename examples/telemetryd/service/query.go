package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Dimension is what the top consumers are ranked by.
type Dimension string

// Dimensions of Top.
const (
	// ByMessageType: gossipsub bytes by message type (data, ihave, ...).
	ByMessageType Dimension = "message_type"
	// ByShard: gossipsub bytes by cluster/shard (bytes without a shard are
	// left out).
	ByShard Dimension = "shard"
	// ByProtocol: libp2p stream bytes by protocol id, discv5 as "discv5",
	// the application's own traffic as "app:<name>".
	ByProtocol Dimension = "protocol"
	// ByNode: each node's gossipsub, discovery and application bytes.
	ByNode Dimension = "node"
)

// Dimensions lists every Dimension.
func Dimensions() []Dimension { return []Dimension{ByMessageType, ByShard, ByProtocol, ByNode} }

// Consumer is one ranked key with its bytes over the window.
type Consumer struct {
	Key string `json:"key"`
	// Name is, by node, the name the node reported (may be empty).
	Name     string `json:"name,omitempty"`
	BytesIn  int64  `json:"bytesIn"`
	BytesOut int64  `json:"bytesOut"`
	Bytes    int64  `json:"bytes"`
}

// topQueries select (key, bytes in, bytes out) for rows with from <= ts <
// to. "dropped" gossip bytes never reached the wire and are left out.
var topQueries = map[Dimension]string{
	ByMessageType: `SELECT message_type AS k,
		SUM(CASE WHEN direction = 'in' THEN bytes ELSE 0 END) AS bi, SUM(CASE WHEN direction = 'out' THEN bytes ELSE 0 END) AS bo
		FROM gossip_bytes WHERE ts >= ? AND ts < ? AND direction <> 'dropped' GROUP BY message_type`,
	ByShard: `SELECT CAST(cluster AS TEXT) || '/' || CAST(shard AS TEXT) AS k,
		SUM(CASE WHEN direction = 'in' THEN bytes ELSE 0 END) AS bi, SUM(CASE WHEN direction = 'out' THEN bytes ELSE 0 END) AS bo
		FROM gossip_bytes WHERE ts >= ? AND ts < ? AND direction <> 'dropped' AND shard IS NOT NULL GROUP BY cluster, shard`,
	ByProtocol: `SELECT k, SUM(bi) AS bi, SUM(bo) AS bo FROM (
		SELECT protocol AS k, bytes_in AS bi, bytes_out AS bo FROM protocol_bytes WHERE ts >= ? AND ts < ?
		UNION ALL SELECT 'discv5', bytes_in, bytes_out FROM discovery_bytes WHERE ts >= ? AND ts < ?
		UNION ALL SELECT 'app:' || name, bytes_in, bytes_out FROM app_bytes WHERE ts >= ? AND ts < ?
		) AS t GROUP BY k`,
	ByNode: `SELECT k, SUM(bi) AS bi, SUM(bo) AS bo FROM (
		SELECT node AS k, CASE WHEN direction = 'in' THEN bytes ELSE 0 END AS bi,
			CASE WHEN direction = 'out' THEN bytes ELSE 0 END AS bo
			FROM gossip_bytes WHERE ts >= ? AND ts < ? AND direction <> 'dropped'
		UNION ALL SELECT node, bytes_in, bytes_out FROM discovery_bytes WHERE ts >= ? AND ts < ?
		UNION ALL SELECT node, bytes_in, bytes_out FROM app_bytes WHERE ts >= ? AND ts < ?
		) AS t GROUP BY k`,
}

// Top returns the limit largest consumers along dim over [from, to), by
// bytes in + out, largest first (ties by key).
func (s *Store) Top(ctx context.Context, dim Dimension, from, to time.Time, limit int) ([]Consumer, error) {
	q, ok := topQueries[dim]
	if !ok {
		return nil, fmt.Errorf("telemetryd: unknown dimension %q", dim)
	}
	// CAST: PostgreSQL's SUM of BIGINT is NUMERIC.
	q = "SELECT k, CAST(bi AS BIGINT), CAST(bo AS BIGINT), CAST(bi + bo AS BIGINT) AS total FROM (" + q +
		") AS top ORDER BY total DESC, k LIMIT ?"
	var args []any
	for range 3 {
		args = append(args, from.Unix(), to.Unix())
	}
	args = args[:countPlaceholders(q)-1]
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, rebind(s.dialect, q), args...)
	if err != nil {
		return nil, fmt.Errorf("telemetryd: top %s: %w", dim, err)
	}
	defer rows.Close()
	out := []Consumer{}
	for rows.Next() {
		var c Consumer
		if err := rows.Scan(&c.Key, &c.BytesIn, &c.BytesOut, &c.Bytes); err != nil {
			return nil, fmt.Errorf("telemetryd: top %s: %w", dim, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil || dim != ByNode {
		return out, err
	}
	for i := range out {
		err := s.db.QueryRowContext(ctx, rebind(s.dialect, "SELECT node_name FROM nodes WHERE node = ?"), out[i].Key).Scan(&out[i].Name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("telemetryd: node name: %w", err)
		}
	}
	return out, nil
}

func countPlaceholders(q string) int {
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
		}
	}
	return n
}
