package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// mainArgsEnv makes the test binary behave as the simulate command: the
// end-to-end test re-executes itself with it, so that the program runs in
// its own process exactly as `go run ./examples/simulate` would (the
// synctest bubble of package bubble cannot be entered from inside a test).
const mainArgsEnv = "SIMULATE_MAIN_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(mainArgsEnv); ok {
		os.Exit(run(strings.Fields(args), os.Stdout, os.Stderr))
	}
	goleak.VerifyTestMain(m)
}

func runMain(t *testing.T, args string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mainArgsEnv+"="+args)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return out.String(), errOut.String(), exit.ExitCode()
	}
	require.NoError(t, err)
	return out.String(), errOut.String(), 0
}

// TestCommandEndToEnd runs the command on a tiny scenario with every
// output: JSON on stdout, the SVG chart, the progress line on stderr.
func TestCommandEndToEnd(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "out.svg")
	stdout, stderr, code := runMain(t, "-nodes 12 -shards 3 -subs 1-2 -duration 20s -msg-rate 0.2 -policy static -json -plot "+plot)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "virtual")
	require.Contains(t, stderr, "wall")

	var reports []map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &reports), stdout)
	require.Len(t, reports, 1)
	require.Equal(t, "static", reports[0]["policy"])
	f, ok := reports[0]["final_sufficiently_healthy_fraction"].(float64)
	require.True(t, ok)
	require.True(t, f >= 0 && f <= 1)

	svg, err := os.ReadFile(plot)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(svg, []byte("<svg")))
	require.Contains(t, string(svg), "<polyline")
	require.Contains(t, string(svg), ">static<")
}

// TestCommandRunsPoliciesInParallelProcesses runs two policies, twice each,
// two child processes at a time, and checks that every run came back.
func TestCommandRunsPoliciesInParallelProcesses(t *testing.T) {
	stdout, stderr, code := runMain(t, "-nodes 10 -shards 2 -subs 1 -duration 15s -policy static,wakupm -repeat 2 -procs 2 -json")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "static run 2/2")
	require.Contains(t, stderr, "wakupm run 2/2")
	require.NotContains(t, stderr, progressPrefix)
	var reports []PolicyReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &reports), stdout)
	require.Len(t, reports, 2)
	for i, want := range []string{"static", "wakupm"} {
		require.Equal(t, want, reports[i].Policy)
		require.Equal(t, 2, reports[i].Runs)
		require.Len(t, reports[i].PerRun, 2)
		for _, r := range reports[i].PerRun {
			require.NotEmpty(t, r.Curve, "a run of %s came back empty", want)
		}
	}
}

func TestCommandTableAndErrors(t *testing.T) {
	stdout, stderr, code := runMain(t, "-nodes 10 -shards 2 -subs 1 -duration 10s -policy static -progress=false")
	require.Equal(t, 0, code, stderr)
	for _, want := range []string{"time to 95% sufficiently healthy", "gossipsub out per node", "idontwant", "delivery ratio", "not bit-for-bit"} {
		require.Contains(t, stdout, want)
	}
	require.Empty(t, stderr)

	_, stderr, code = runMain(t, "-nodes 1")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "-nodes 1")

	_, stderr, code = runMain(t, "-h")
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "Usage")
}
