// Command telemetryd is a telemetry service for wakupm's opt-in reports
// (package metrics/telemetry), speaking the /record-metrics format of
// Status's telemetry service. It stores reports in a SQLite file by default
// or in PostgreSQL (-postgres), and shows the top bandwidth consumers on /
// (HTML) and /api/top (JSON).
//
//	go run ./examples/telemetryd -db telemetry.db -listen 127.0.0.1:8080
//	go run ./examples/telemetryd -db telemetry.db -import reports.jsonl
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wakupm/wakupm/examples/telemetryd/service"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "telemetryd:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:8080", "address to serve on")
	dbPath := flag.String("db", "telemetry.db", "SQLite database file (created if missing)")
	pg := flag.String("postgres", "", "PostgreSQL connection string (postgres://user:pass@host/db); replaces -db")
	rate := flag.Float64("rate", 1, "reports per second allowed per client IP")
	burst := flag.Int("burst", 10, "burst of reports allowed per client IP")
	importFile := flag.String("import", "", "import reports from this file (one JSON request per line, as examples/simulate -telemetry-file writes) and exit")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var (
		store *service.Store
		err   error
	)
	if *pg != "" {
		store, err = service.OpenPostgres(ctx, *pg)
	} else {
		store, err = service.OpenSQLite(ctx, *dbPath)
	}
	if err != nil {
		return err
	}
	defer store.Close()
	srv := service.NewServer(store, service.Config{RatePerClient: *rate, Burst: *burst, Log: log})
	if *importFile != "" {
		f, err := os.Open(*importFile)
		if err != nil {
			return err
		}
		defer f.Close()
		n, err := srv.Import(ctx, f)
		fmt.Printf("imported %d reports\n", n)
		return err
	}
	hs := &http.Server{Addr: *listen, Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(shutdown)
	}()
	log.Info("telemetryd serving", "addr", *listen, "store", store.Dialect())
	if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
