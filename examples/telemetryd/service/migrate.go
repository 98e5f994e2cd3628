package service

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migrations are the schema's versions, applied in order, each once, in a
// transaction of its own; schema_migrations records the last one applied.
// The same statements serve SQLite and PostgreSQL: {{id}} is the only
// dialect-specific piece (an auto-increment key). Never edit an applied
// migration: append one.
var migrations = []string{
	// 1: one table per item type, each row carrying the node key and the
	// report's timestamp (Unix seconds); nodes keeps what nodes say of
	// themselves.
	`CREATE TABLE nodes (
		node TEXT PRIMARY KEY, node_name TEXT NOT NULL, version TEXT NOT NULL, device TEXT NOT NULL,
		first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL);
	CREATE TABLE protocol_stats (id {{id}}, node TEXT NOT NULL, ts BIGINT NOT NULL, protocol TEXT NOT NULL,
		total_in BIGINT NOT NULL, total_out BIGINT NOT NULL, rate_in DOUBLE PRECISION NOT NULL, rate_out DOUBLE PRECISION NOT NULL);
	CREATE TABLE peer_count_by_shard (id {{id}}, node TEXT NOT NULL, ts BIGINT NOT NULL, shard INTEGER NOT NULL, count INTEGER NOT NULL);
	CREATE TABLE peer_count_by_origin (id {{id}}, node TEXT NOT NULL, ts BIGINT NOT NULL, origin INTEGER NOT NULL, count INTEGER NOT NULL);
	CREATE TABLE dial_failure (id {{id}}, node TEXT NOT NULL, ts BIGINT NOT NULL, error_type INTEGER NOT NULL,
		error_msg TEXT NOT NULL, protocols TEXT NOT NULL, count BIGINT NOT NULL);
	CREATE TABLE gossip_bytes (id {{id}}, node TEXT NOT NULL, ts BIGINT NOT NULL, interval_s DOUBLE PRECISION NOT NULL,
		direction TEXT NOT NULL, message_type TEXT NOT NULL, cluster INTEGER, shard INTEGER,
		bytes BIGINT NOT NULL, entries BIGINT NOT NULL);
	CREATE INDEX gossip_bytes_ts ON gossip_bytes (ts);
	CREATE TABLE protocol_bytes (id {{id}}, node TEXT NOT NULL, ts BIGINT NOT NULL, interval_s DOUBLE PRECISION NOT NULL,
		protocol TEXT NOT NULL, bytes_in BIGINT NOT NULL, bytes_out BIGINT NOT NULL);
	CREATE INDEX protocol_bytes_ts ON protocol_bytes (ts);
	CREATE TABLE discovery_bytes (id {{id}}, node TEXT NOT NULL, ts BIGINT NOT NULL, interval_s DOUBLE PRECISION NOT NULL,
		bytes_in BIGINT NOT NULL, bytes_out BIGINT NOT NULL, packets_in BIGINT NOT NULL, packets_out BIGINT NOT NULL);
	CREATE TABLE app_bytes (id {{id}}, node TEXT NOT NULL, ts BIGINT NOT NULL, interval_s DOUBLE PRECISION NOT NULL,
		name TEXT NOT NULL, bytes_in BIGINT NOT NULL, bytes_out BIGINT NOT NULL);
	CREATE TABLE shard_health (id {{id}}, node TEXT NOT NULL, ts BIGINT NOT NULL, cluster INTEGER NOT NULL, shard INTEGER NOT NULL,
		health TEXT NOT NULL, mesh_peers INTEGER NOT NULL, outbound_mesh_peers INTEGER NOT NULL, low_score_mesh_peers INTEGER NOT NULL,
		inbound INTEGER NOT NULL, outbound INTEGER NOT NULL, floor INTEGER NOT NULL, known INTEGER NOT NULL,
		dials BIGINT NOT NULL, dial_failures BIGINT NOT NULL);
	CREATE TABLE slot_occupancy (id {{id}}, node TEXT NOT NULL, ts BIGINT NOT NULL, service TEXT NOT NULL,
		capacity INTEGER NOT NULL, in_use INTEGER NOT NULL, admitted BIGINT NOT NULL, rejected BIGINT NOT NULL)`,
}

// Dialect is the SQL flavour of a Store.
type Dialect int

// Dialects.
const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

func (d Dialect) autoID() string {
	if d == Postgres {
		return "BIGSERIAL PRIMARY KEY"
	}
	return "INTEGER PRIMARY KEY AUTOINCREMENT"
}

// migrate applies the migrations not applied yet and returns the version
// the schema is at.
func migrate(ctx context.Context, db *sql.DB, d Dialect) (int, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL)`); err != nil {
		return 0, fmt.Errorf("telemetryd: creating schema_migrations: %w", err)
	}
	var version int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return 0, fmt.Errorf("telemetryd: reading the schema version: %w", err)
	}
	if version > len(migrations) {
		return version, fmt.Errorf("telemetryd: the database is at schema version %d, newer than this program's %d", version, len(migrations))
	}
	for v := version + 1; v <= len(migrations); v++ {
		if err := applyMigration(ctx, db, d, v); err != nil {
			return v - 1, err
		}
	}
	return len(migrations), nil
}

func applyMigration(ctx context.Context, db *sql.DB, d Dialect, v int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for stmt := range strings.SplitSeq(strings.ReplaceAll(migrations[v-1], "{{id}}", d.autoID()), ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("telemetryd: migration %d (%s): %w", v, d, err)
		}
	}
	if _, err := tx.ExecContext(ctx, rebind(d, `INSERT INTO schema_migrations (version) VALUES (?)`), v); err != nil {
		return fmt.Errorf("telemetryd: recording migration %d: %w", v, err)
	}
	return tx.Commit()
}

// rebind turns ? placeholders into PostgreSQL's $n.
func rebind(d Dialect, q string) string {
	if d != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
