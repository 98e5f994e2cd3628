package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := ParseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "simulate:", err)
		return 2
	}
	sc := Generate(cfg)
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			fmt.Fprintln(stderr, "simulate: -cpuprofile:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "simulate: -cpuprofile:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if cfg.telemetry() && cfg.TelemetryStart == 0 {
		// Every child process must stamp reports from the same origin.
		cfg.TelemetryStart = time.Now().Unix()
		args = append(slices.Clip(args), "-telemetry-start="+strconv.FormatInt(cfg.TelemetryStart, 10))
	}
	if spec, ok := os.LookupEnv(jobEnv); ok {
		return childMain(cfg, sc, spec, stdout, stderr)
	}
	var prog *progress
	if cfg.Progress {
		prog = newProgress(stderr, cfg.Policies, cfg.Duration, cfg.Repeat)
	}
	procs := min(cfg.Procs, len(cfg.Policies)*cfg.Repeat)
	if cfg.CPUProfile != "" {
		procs = 1 // profile this process
	}
	var results [][]RunMetrics
	if procs > 1 {
		results, err = runJobs(cfg, args, procs, prog, stderr)
	} else {
		results, err = simulateInProcess(cfg, sc, prog, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "simulate:", err)
		return 1
	}
	if cfg.telemetry() {
		if err := deliverTelemetry(cfg, results); err != nil {
			fmt.Fprintln(stderr, "simulate:", err)
			return 1
		}
		for _, runs := range results {
			for i := range runs {
				runs[i].Telemetry = nil // delivered; not part of the -json output
			}
		}
	}
	reports := make([]PolicyReport, len(results))
	for i, runs := range results {
		reports[i] = aggregate(cfg.Policies[i], cfg, sc, runs)
	}
	if cfg.Plot != "" {
		if err := savePlot(cfg, reports); err != nil {
			fmt.Fprintln(stderr, "simulate:", err)
			return 1
		}
	}
	if cfg.JSON {
		err = writeJSON(stdout, reports)
	} else {
		err = writeTable(stdout, cfg, sc, reports)
	}
	if err != nil {
		fmt.Fprintln(stderr, "simulate:", err)
		return 1
	}
	return 0
}

func savePlot(cfg Config, reports []PolicyReport) error {
	f, err := os.Create(cfg.Plot)
	if err != nil {
		return fmt.Errorf("-plot: %w", err)
	}
	title := fmt.Sprintf("%d nodes, %d shards, %s subscriptions/node, max %d connections, seed %d",
		cfg.Nodes, cfg.Shards, cfg.Subs, cfg.MaxConns, cfg.Seed)
	if err := writePlot(f, title, cfg.Duration.Seconds(), reports); err != nil {
		f.Close()
		return fmt.Errorf("-plot: %w", err)
	}
	return f.Close()
}
