package main

import (
	"io"
	"log/slog"
	"time"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// simulateInProcess runs every job of cfg one after the other in this
// process (each in its own synctest bubble) and returns the metrics by
// policy and run.
func simulateInProcess(cfg Config, sc *Scenario, prog *progress, _ io.Writer) ([][]RunMetrics, error) {
	out := make([][]RunMetrics, len(cfg.Policies))
	for p := range cfg.Policies {
		for r := range cfg.Repeat {
			var report func(time.Duration, float64)
			if prog != nil {
				report = func(v time.Duration, healthy float64) { prog.update(p, r, v, healthy) }
			}
			m, err := runJobInProcess(cfg, sc, job{p, r}, report)
			if err != nil {
				return nil, err
			}
			out[p] = append(out[p], m)
		}
	}
	if prog != nil {
		prog.done()
	}
	return out, nil
}
