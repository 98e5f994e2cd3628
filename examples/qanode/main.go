package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wakupm/wakupm/shardmesh/protected"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(runMain(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// shutdownTimeout bounds how long in-flight REST requests may take once the
// node is asked to stop.
const shutdownTimeout = 5 * time.Second

// runMain runs the node until ctx is done (SIGINT or SIGTERM in main) and
// returns the exit code: 0, 1 on a runtime error, 2 on bad flags.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "communities" {
		return runCommunities(ctx, args[1:], stdout, stderr)
	}
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	if cfg.genKey {
		k, err := protected.GenerateKey()
		if err != nil {
			fmt.Fprintln(stderr, "qanode:", err)
			return 1
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(keyPairJSON(k))
		return 0
	}
	if err := run(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "qanode:", err)
		return 1
	}
	return 0
}

func run(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return fmt.Errorf("-log-level %q: %w", cfg.logLevel, err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if cfg.restPublic && cfg.restToken == "" {
		log.Warn("REST API exposed without a token (-rest-public): anyone who reaches it can install protected-shard keys")
	}
	ln, err := net.Listen("tcp", cfg.rest)
	if err != nil {
		return fmt.Errorf("-rest %s: %w", cfg.rest, err)
	}
	node, err := newNode(cfg, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	srv := newRESTServer(node.Handler(), 0)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	fmt.Fprintf(stdout, "qanode %s on cluster %d\n", node.selfID(), cfg.cluster)
	for _, a := range node.host.Addrs() {
		fmt.Fprintf(stdout, "listening on %s/p2p/%s\n", a, node.selfID())
	}
	fmt.Fprintf(stdout, "REST API on http://%s\n", ln.Addr())

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err = <-served:
		err = fmt.Errorf("REST server: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if ctx.Err() != nil { // Serve returns ErrServerClosed once Shutdown is called
		<-served
	}
	return errors.Join(err, node.Close())
}
