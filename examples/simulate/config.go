package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/wakupm/wakupm/shardmesh"
)

// Config is one simulation request: the scenario, the policies to compare
// and the outputs. Every field has a flag; Validate says what is wrong.
type Config struct {
	Nodes      int
	Cluster    uint16
	Shards     int
	Subs       SubsRange
	MaxConns   int
	Duration   time.Duration
	MsgRate    float64 // messages per second per shard, network-wide
	MsgSize    int     // bytes of payload
	Churn      float64 // fraction of nodes leaving (and as many joining) per virtual minute
	Sybils     int     // adversary nodes sharing one IP address
	SybilLeave float64 // fraction of the duration at which every Sybil leaves at once; 0: never
	Liars      int     // adversary nodes advertising every shard, meshing on none
	Seed       uint64
	Policies   []string
	Repeat     int

	Bandwidth int           // link rate per node and direction, Mbit/s
	Latency   time.Duration // one-way link latency
	Sample    time.Duration // health sampling interval

	JSON       bool
	Plot       string
	Progress   bool
	Procs      int
	CPUProfile string

	// Telemetry: each honest node's metrics/telemetry report every
	// TelemetryInterval of virtual time, POSTed to TelemetryURL and/or
	// written to TelemetryFile (one request per line, for telemetryd
	// -import). TelemetryStart is the wall-clock time (Unix seconds) that
	// virtual time 0 maps to in the reports' timestamps; 0 means now.
	TelemetryURL      string
	TelemetryFile     string
	TelemetryInterval time.Duration
	TelemetryStart    int64
}

// telemetry reports whether reports are wanted.
func (c Config) telemetry() bool { return c.TelemetryURL != "" || c.TelemetryFile != "" }

// SubsRange is how many shards each node subscribes to: drawn uniformly
// from Min..Max (Min == Max: fixed).
type SubsRange struct{ Min, Max int }

// String returns "N" or "A-B", the flag syntax.
func (r SubsRange) String() string {
	if r.Min == r.Max {
		return strconv.Itoa(r.Min)
	}
	return fmt.Sprintf("%d-%d", r.Min, r.Max)
}

// Set parses "N" or "A-B" (flag.Value).
func (r *SubsRange) Set(s string) error {
	lo, hi, isRange := strings.Cut(strings.TrimSpace(s), "-")
	a, err := strconv.Atoi(lo)
	if err != nil {
		return fmt.Errorf("subscriptions %q: want N or A-B", s)
	}
	b := a
	if isRange {
		if b, err = strconv.Atoi(hi); err != nil {
			return fmt.Errorf("subscriptions %q: want N or A-B", s)
		}
	}
	r.Min, r.Max = a, b
	return nil
}

// Known policy names, in the order they are reported.
const (
	PolicyWakuPM = "wakupm"
	PolicyNwaku  = "nwaku"
	PolicyGoWaku = "gowaku"
	PolicyStatic = "static"
)

// knownPolicies lists every accepted -policy name with a one-line summary.
var knownPolicies = []struct{ name, summary string }{
	{PolicyWakuPM, "this library's Manager: per-shard floors, coverage-greedy dialing, Lighthouse-style pruning"},
	{PolicyNwaku, "the Manager with NwakuPreset(): nwaku's targets, backoff and pruning"},
	{PolicyGoWaku, "the Manager with GoWakuPreset(): go-waku's targets, backoff and pruning"},
	{PolicyStatic, "baseline without a peer manager: dial discovered peers once, never prune"},
}

// defaultProcs runs the three policies side by side, each in its own
// process: a run uses a little more than one core, so three processes keep
// two cores busy until the end instead of leaving the last run alone.
const defaultProcs = 3

// ErrInvalidConfig is wrapped by every validation error: fix the flag it
// names.
var ErrInvalidConfig = errors.New("invalid configuration")

// DefaultConfig is what `go run ./examples/simulate` runs: about 200 nodes,
// 16 shards, 1-6 subscriptions per node, 50 connections at most, 2 virtual
// minutes, a light load (one 512-byte message every ten seconds per shard),
// all three policies.
func DefaultConfig() Config {
	return Config{
		Nodes:      200,
		Cluster:    16,
		Shards:     16,
		Subs:       SubsRange{1, 6},
		MaxConns:   50,
		Duration:   2 * time.Minute,
		MsgRate:    0.1,
		MsgSize:    512,
		SybilLeave: 0.67,
		Seed:       1,
		Policies:   []string{PolicyWakuPM, PolicyNwaku, PolicyGoWaku},
		Repeat:     1,
		Bandwidth:  100,
		Latency:    20 * time.Millisecond,
		Sample:     time.Second,
		Progress:   true,
		Procs:      defaultProcs,

		TelemetryInterval: 30 * time.Second,
	}
}

// ParseFlags parses args into a validated Config. With -h it prints the
// usage to out and returns flag.ErrHelp.
func ParseFlags(args []string, out io.Writer) (Config, error) {
	c := DefaultConfig()
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.IntVar(&c.Nodes, "nodes", c.Nodes, "honest relay nodes at the start")
	cluster := uint(c.Cluster)
	fs.UintVar(&cluster, "cluster", cluster, "cluster id of every node (0-65535)")
	fs.IntVar(&c.Shards, "shards", c.Shards, "shards in use: indexes 0..shards-1 (1-1024)")
	fs.Var(&c.Subs, "subs", "shards each node subscribes to: N, or A-B drawn uniformly (at most 100)")
	fs.IntVar(&c.MaxConns, "max-conns", c.MaxConns, "maximum connections per node")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "virtual time simulated per policy")
	fs.Float64Var(&c.MsgRate, "msg-rate", c.MsgRate, "messages per second per shard, network-wide (0: none)")
	fs.IntVar(&c.MsgSize, "msg-size", c.MsgSize, "message payload in bytes")
	fs.Float64Var(&c.Churn, "churn", c.Churn, "fraction of nodes leaving, and as many new ones joining, per virtual minute")
	fs.IntVar(&c.Sybils, "sybils", c.Sybils, "adversaries on one shared IP address that connect to many honest nodes")
	fs.Float64Var(&c.SybilLeave, "sybil-leave", c.SybilLeave, "fraction of the duration at which all Sybils leave at once (0: never)")
	fs.IntVar(&c.Liars, "liars", c.Liars, "adversaries advertising every shard but meshing on none")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the scenario (topology, subscriptions, churn, adversaries, messages)")
	policies := strings.Join(c.Policies, ",")
	fs.StringVar(&policies, "policy", policies, "comma-separated policies to compare: "+policyNames())
	fs.IntVar(&c.Repeat, "repeat", c.Repeat, "runs per policy; with more than one, the spread is reported")
	fs.IntVar(&c.Bandwidth, "bandwidth", c.Bandwidth, "link rate per node and direction, Mbit/s")
	fs.DurationVar(&c.Latency, "latency", c.Latency, "one-way link latency")
	fs.DurationVar(&c.Sample, "sample", c.Sample, "virtual interval between health samples")
	fs.BoolVar(&c.JSON, "json", c.JSON, "print one JSON object per policy instead of the table")
	fs.StringVar(&c.Plot, "plot", c.Plot, "write an SVG chart of the healthy fraction over virtual time to this file")
	fs.BoolVar(&c.Progress, "progress", c.Progress, "print a progress line (virtual and wall time) on stderr")
	fs.IntVar(&c.Procs, "procs", c.Procs, "runs at a time, each in its own process (1: all in this process, one after the other)")
	fs.StringVar(&c.CPUProfile, "cpuprofile", c.CPUProfile, "write a CPU profile to this file (implies -procs 1)")
	fs.StringVar(&c.TelemetryURL, "telemetry", c.TelemetryURL, "send each honest node's telemetry report to this service (base URL of examples/telemetryd) after the run")
	fs.StringVar(&c.TelemetryFile, "telemetry-file", c.TelemetryFile, "write each honest node's telemetry reports to this file, one request per line (telemetryd -import)")
	fs.DurationVar(&c.TelemetryInterval, "telemetry-interval", c.TelemetryInterval, "virtual interval between a node's telemetry reports")
	fs.Int64Var(&c.TelemetryStart, "telemetry-start", c.TelemetryStart, "Unix time that virtual time 0 maps to in telemetry timestamps (0: now)")
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: go run ./examples/simulate [flags]\n\n"+
			"Runs real go-libp2p hosts with real GossipSub on a simulated network in\n"+
			"virtual time and compares peer-management policies on the same scenario.\n\nPolicies:\n")
		for _, p := range knownPolicies {
			fmt.Fprintf(out, "  %-8s %s\n", p.name, p.summary)
		}
		fmt.Fprintf(out, "\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("%w: unexpected argument %q", ErrInvalidConfig, fs.Arg(0))
	}
	if cluster > 0xFFFF {
		return c, fmt.Errorf("%w: -cluster %d: want 0-65535", ErrInvalidConfig, cluster)
	}
	c.Cluster = uint16(cluster)
	c.Policies = nil
	for _, p := range strings.Split(policies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.Policies = append(c.Policies, p)
		}
	}
	return c, c.Validate()
}

func policyNames() string {
	names := make([]string, len(knownPolicies))
	for i, p := range knownPolicies {
		names[i] = p.name
	}
	return strings.Join(names, ", ")
}

// Limits of the scenario flags.
const (
	maxNodes     = 20000
	maxSubs      = 100
	maxAdversary = 1000
)

// Validate checks every field and returns the first problem found.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	switch {
	case c.Nodes < 2 || c.Nodes > maxNodes:
		return bad("-nodes %d: want 2-%d", c.Nodes, maxNodes)
	case c.Shards < 1 || c.Shards > shardmesh.ShardsPerCluster:
		return bad("-shards %d: want 1-%d", c.Shards, shardmesh.ShardsPerCluster)
	case c.Subs.Min < 1 || c.Subs.Min > c.Subs.Max:
		return bad("-subs %s: want 1 <= A <= B", c.Subs)
	case c.Subs.Max > maxSubs:
		return bad("-subs %s: at most %d subscriptions per node", c.Subs, maxSubs)
	case c.Subs.Max > c.Shards:
		return bad("-subs %s: more than the %d shards in use", c.Subs, c.Shards)
	case c.MaxConns < 1:
		return bad("-max-conns %d: want >= 1", c.MaxConns)
	case c.Duration < 10*time.Second || c.Duration > 24*time.Hour:
		return bad("-duration %v: want 10s-24h", c.Duration)
	case c.MsgRate < 0 || c.MsgRate > 1000:
		return bad("-msg-rate %g: want 0-1000 per shard per second", c.MsgRate)
	case c.MsgSize < minPayload || c.MsgSize > maxPayload:
		return bad("-msg-size %d: want %d-%d bytes", c.MsgSize, minPayload, maxPayload)
	case c.Churn < 0 || c.Churn > 0.5:
		return bad("-churn %g: want 0-0.5 per minute", c.Churn)
	case c.Sybils < 0 || c.Sybils > maxAdversary:
		return bad("-sybils %d: want 0-%d", c.Sybils, maxAdversary)
	case c.SybilLeave < 0 || c.SybilLeave >= 1:
		return bad("-sybil-leave %g: want 0 (never) or a fraction below 1", c.SybilLeave)
	case c.Liars < 0 || c.Liars > maxAdversary:
		return bad("-liars %d: want 0-%d", c.Liars, maxAdversary)
	case len(c.Policies) == 0:
		return bad("-policy: name at least one of %s", policyNames())
	case c.Repeat < 1 || c.Repeat > 100:
		return bad("-repeat %d: want 1-100", c.Repeat)
	case c.Bandwidth < 1 || c.Bandwidth > 100000:
		return bad("-bandwidth %d: want 1-100000 Mbit/s", c.Bandwidth)
	case c.Latency < 0 || c.Latency > 5*time.Second:
		return bad("-latency %v: want 0-5s", c.Latency)
	case c.Procs < 1 || c.Procs > 64:
		return bad("-procs %d: want 1-64", c.Procs)
	case c.Sample < 100*time.Millisecond || c.Sample > c.Duration/2:
		return bad("-sample %v: want 100ms to half the duration", c.Sample)
	case c.telemetry() && (c.TelemetryInterval < time.Second || c.TelemetryInterval > c.Duration):
		return bad("-telemetry-interval %v: want 1s to the duration", c.TelemetryInterval)
	case c.TelemetryStart < 0:
		return bad("-telemetry-start %d: want a Unix time", c.TelemetryStart)
	}
	seen := map[string]bool{}
	for _, p := range c.Policies {
		if !isKnownPolicy(p) {
			return bad("-policy %q: unknown; known: %s", p, policyNames())
		}
		if seen[p] {
			return bad("-policy %q named twice", p)
		}
		seen[p] = true
	}
	return nil
}

func isKnownPolicy(name string) bool {
	for _, p := range knownPolicies {
		if p.name == name {
			return true
		}
	}
	return false
}
