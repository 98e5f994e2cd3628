package service

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/wakupm/wakupm/examples/telemetryd/wire"
)

// Store keeps reports in SQLite (one file, the default) or PostgreSQL.
type Store struct {
	db      *sql.DB
	dialect Dialect
}

// OpenSQLite opens (creating it if needed) the SQLite database at path and
// brings its schema up to date.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	// WAL lets queries run while a report is written; busy_timeout makes a
	// writer wait for another instead of failing at once.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("telemetryd: opening %s: %w", path, err)
	}
	// One writer at a time is what SQLite does anyway; one connection
	// keeps database/sql from queueing writers on SQLITE_BUSY.
	db.SetMaxOpenConns(1)
	return open(ctx, db, SQLite)
}

// OpenPostgres connects to PostgreSQL with a pgx connection string
// ("postgres://user:pass@host/db?sslmode=disable") and brings the schema up
// to date.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("telemetryd: opening postgres: %w", err)
	}
	return open(ctx, db, Postgres)
}

func open(ctx context.Context, db *sql.DB, d Dialect) (*Store, error) {
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("telemetryd: connecting to %s: %w", d, err)
	}
	if _, err := migrate(ctx, db, d); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, dialect: d}, nil
}

// Dialect returns the store's SQL flavour.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Insert stores a decoded request in one transaction: all of it or none.
func (s *Store) Insert(ctx context.Context, d *wire.Decoded, received time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("telemetryd: begin: %w", err)
	}
	defer tx.Rollback()
	for _, n := range d.Nodes {
		_, err := tx.ExecContext(ctx, rebind(s.dialect, `INSERT INTO nodes (node, node_name, version, device, first_seen, last_seen)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (node) DO UPDATE SET node_name = excluded.node_name,
			version = excluded.version, device = excluded.device, last_seen = excluded.last_seen`),
			n.Key, n.Name, n.Version, n.Device, received.Unix(), received.Unix())
		if err != nil {
			return fmt.Errorf("telemetryd: storing node: %w", err)
		}
	}
	stmts := map[string]*sql.Stmt{}
	for _, r := range d.Rows {
		q := "INSERT INTO " + r.Table + " (ts, " + strings.Join(r.Cols, ", ") + ") VALUES (?" +
			strings.Repeat(", ?", len(r.Cols)) + ")"
		st, ok := stmts[q]
		if !ok {
			if st, err = tx.PrepareContext(ctx, rebind(s.dialect, q)); err != nil {
				return fmt.Errorf("telemetryd: preparing %s: %w", r.Table, err)
			}
			defer st.Close()
			stmts[q] = st
		}
		if _, err := st.ExecContext(ctx, append([]any{r.Time}, r.Vals...)...); err != nil {
			return fmt.Errorf("telemetryd: storing into %s: %w", r.Table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("telemetryd: commit: %w", err)
	}
	return nil
}
