// Command lightclient is a status-go-like light client that chooses its
// filter and light-push service peers with wakupm's selector alone, without
// the relay peer manager. It runs on loopback: it starts service nodes (real
// libp2p hosts answering light push v3 and filter requests), connects to
// them as if it had found them through peer exchange, publishes messages
// through the selector's light-push pool and reports every outcome. Along
// the way one light-push peer in use starts answering 429 Too Many Requests
// and another is killed; the output shows the selector replacing both, and
// ends with the pools, the light-client health and (-metrics) the
// Prometheus metrics.
//
// Usage:
//
//	lightclient [-nodes 6] [-messages 20] [-interval 100ms] [-rate-limit-at 4]
//	            [-kill-at 8] [-preset wakupm|jswaku|gowaku] [-metrics]
//
// The ~20 lines a client needs are in run: selector.New with the host and
// a keep-alive, AddPeer for each discovered service peer, then Select
// before each use and Report after it. The program links the selector
// packages (peermanager/selection, peermanager/selector) and metrics, not
// the relay Manager.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(runMain(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	if err := run(ctx, cfg, stdout); err != nil {
		fmt.Fprintln(stderr, "lightclient:", err)
		return 1
	}
	return 0
}

type config struct {
	nodes       int
	messages    int
	interval    time.Duration
	killAt      int
	rateLimitAt int
	preset      string
	metrics     bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("lightclient", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.IntVar(&c.nodes, "nodes", 6, "service nodes to start (2..64)")
	fs.IntVar(&c.messages, "messages", 20, "messages to publish")
	fs.DurationVar(&c.interval, "interval", 100*time.Millisecond, "time between messages")
	fs.IntVar(&c.rateLimitAt, "rate-limit-at", 4, "before this message, the last light-push peer in use starts answering 429 (0: never)")
	fs.IntVar(&c.killAt, "kill-at", 8, "before this message, kill the first light-push peer in use (0: never)")
	fs.StringVar(&c.preset, "preset", "wakupm", "selector preset: wakupm, jswaku or gowaku")
	fs.BoolVar(&c.metrics, "metrics", false, "print the selector's Prometheus metrics at the end")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		err := fmt.Errorf("unexpected argument %q", fs.Arg(0))
		fmt.Fprintln(stderr, err)
		return c, err
	case c.nodes < 2 || c.nodes > 64 || c.messages < 0 || c.interval < 0 || c.killAt < 0 || c.rateLimitAt < 0:
		err := fmt.Errorf("out-of-range flag: nodes 2..64, the others >= 0")
		fmt.Fprintln(stderr, err)
		return c, err
	}
	return c, nil
}
