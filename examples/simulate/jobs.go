package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wakupm/wakupm/examples/simulate/internal/bubble"
)

// Running policies in parallel. One synctest bubble advances one virtual
// clock and was measured slower when it carried several networks at once,
// so parallel runs use one process each: the command re-executes itself
// with the same flags and jobEnv naming the (policy, run) to do; the child
// prints its RunMetrics as JSON on stdout and its progress as
// progressPrefix lines on stderr. The seed makes every child generate the
// same scenario.
const (
	jobEnv         = "SIMULATE_JOB"
	progressPrefix = "@progress "
)

type job struct{ policy, run int }

func (j job) String() string { return fmt.Sprintf("%d/%d", j.policy, j.run) }

func parseJob(s string) (job, error) {
	a, b, ok := strings.Cut(s, "/")
	p, err1 := strconv.Atoi(a)
	r, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || p < 0 || r < 0 {
		return job{}, fmt.Errorf("%s=%q: want policy-index/run-index", jobEnv, s)
	}
	return job{p, r}, nil
}

// runJobInProcess runs one job in a synctest bubble and returns its metrics.
func runJobInProcess(cfg Config, sc *Scenario, j job, report func(time.Duration, float64)) (RunMetrics, error) {
	if j.policy >= len(cfg.Policies) || j.run >= cfg.Repeat {
		return RunMetrics{}, fmt.Errorf("job %s out of range", j)
	}
	pol, err := policyByName(cfg.Policies[j.policy])
	if err != nil {
		return RunMetrics{}, err
	}
	var m RunMetrics
	err = bubble.Run(func(*testing.T) error {
		res, err := runScenario(cfg, sc, pol, discardLogger(), report)
		if err != nil {
			return fmt.Errorf("policy %s: %w", cfg.Policies[j.policy], err)
		}
		m = metricsOf(sc, res)
		return nil
	})
	return m, err
}

// childMain is the command in a child process: one job, metrics as JSON on
// stdout, progress lines on stderr.
func childMain(cfg Config, sc *Scenario, spec string, stdout, stderr io.Writer) int {
	j, err := parseJob(spec)
	if err != nil {
		fmt.Fprintln(stderr, "simulate:", err)
		return 2
	}
	m, err := runJobInProcess(cfg, sc, j, func(v time.Duration, healthy float64) {
		fmt.Fprintf(stderr, "%s%d %g\n", progressPrefix, int64(v), healthy)
	})
	if err != nil {
		fmt.Fprintln(stderr, "simulate:", err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(m); err != nil {
		fmt.Fprintln(stderr, "simulate:", err)
		return 1
	}
	return 0
}

// runJobs runs every (policy, run) job, procs at a time, each in a child
// process, and returns the metrics by policy and run.
func runJobs(cfg Config, args []string, procs int, prog *progress, stderr io.Writer) ([][]RunMetrics, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding the simulate binary to run policies in parallel: %w (use -procs 1)", err)
	}
	out := make([][]RunMetrics, len(cfg.Policies))
	for i := range out {
		out[i] = make([]RunMetrics, cfg.Repeat)
	}
	jobs := make(chan job)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range procs {
		wg.Go(func() {
			for j := range jobs {
				m, err := runChild(exe, args, j, prog, stderr)
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("policy %s run %d: %w", cfg.Policies[j.policy], j.run+1, err))
				} else {
					out[j.policy][j.run] = m
				}
				mu.Unlock()
			}
		})
	}
	for r := range cfg.Repeat {
		for p := range cfg.Policies {
			jobs <- job{p, r}
		}
	}
	close(jobs)
	wg.Wait()
	if prog != nil {
		prog.done()
	}
	return out, errors.Join(errs...)
}

func runChild(exe string, args []string, j job, prog *progress, stderr io.Writer) (RunMetrics, error) {
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), jobEnv+"="+j.String())
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return RunMetrics{}, err
	}
	if err := cmd.Start(); err != nil {
		return RunMetrics{}, err
	}
	var failure strings.Builder
	sc := bufio.NewScanner(pipe)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, progressPrefix); ok {
			var v int64
			var healthy float64
			if _, err := fmt.Sscanf(rest, "%d %g", &v, &healthy); err == nil && prog != nil {
				prog.update(j.policy, j.run, time.Duration(v), healthy)
			}
			continue
		}
		failure.WriteString(line)
		failure.WriteByte('\n')
	}
	if err := cmd.Wait(); err != nil {
		fmt.Fprint(stderr, failure.String())
		return RunMetrics{}, fmt.Errorf("child process: %w", err)
	}
	var m RunMetrics
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		return RunMetrics{}, fmt.Errorf("reading the child's result: %w", err)
	}
	return m, nil
}
