package jswaku

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wakupm/wakupm/internal/nodejs"
	"github.com/wakupm/wakupm/rfc/conformance"
	"github.com/wakupm/wakupm/rfc/conformance/vectors"
)

// unsupported says which vectors js-waku has no code for: the driver must
// answer "unsupported" to them and only to them. It has no protected-shard
// validator, it filters discovered records only inside a running libp2p
// node, and its ENR code never writes rs or rsv (only encodeRelayShard in
// @waku/utils encodes them), so it has no record to update.
func unsupported(c vectors.Case) bool {
	return c.Kind == vectors.KindProtected || c.Kind == vectors.KindDiscoveryFilter ||
		c.Kind == vectors.KindENRShardsWriter && strings.Contains(string(c.Input), `"previous"`)
}

// driverCommand installs the driver's packages (skipping the test only when
// npm cannot be reached) and returns the command that starts it.
func driverCommand(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("installs js-waku from npm; skipped with -short")
	}
	pkgs, err := Packages()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := Command(nodejs.Require(t, pkgs...))
	if err != nil {
		t.Fatal(err)
	}
	return cmd
}

// TestDriverPassesProtocolSelfTest runs PROTOCOL.md's handshake and error
// cases against the driver, which was written from that document alone.
func TestDriverPassesProtocolSelfTest(t *testing.T) {
	r, err := conformance.StartRemote(driverCommand(t))
	if err != nil {
		t.Fatal(err)
	}
	results := conformance.SelfTest(r)
	if len(results) == 0 {
		t.Fatal("the self-test ran no case")
	}
	for _, c := range results {
		if c.Err != nil {
			t.Errorf("self-test %s: %v", c.Case, c.Err)
		}
	}
	if t.Failed() {
		t.Logf("driver's standard error:\n%s", r.Stderr())
	}
}

// TestDriverRunsEveryVector sends every wire vector to js-waku's code and
// checks its answer: the vector's expectation, or the divergence the vector
// records for js-waku, which must still be a failure of the vector (a
// divergence js-waku no longer has is stale and fails the test).
func TestDriverRunsEveryVector(t *testing.T) {
	r, err := conformance.StartRemote(driverCommand(t))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Hello.Implementation != "js-waku" || !slices.Contains(r.Hello.VocabulariesOK, "wire") {
		t.Fatalf("hello = %+v", r.Hello)
	}
	if _, err := r.Driver("wire", "js-waku"); err != nil {
		t.Fatal(err)
	}
	files, err := vectors.Load()
	if err != nil {
		t.Fatal(err)
	}
	tally := map[string]*[3]int{} // rule -> pass, fail, not run
	for _, c := range vectors.Cases(files) {
		if tally[c.Rule] == nil {
			tally[c.Rule] = new([3]int)
		}
		a, err := r.Wire(c.Kind, c.Input)
		if unsupported(c) {
			if !errors.Is(err, conformance.ErrUnsupported) {
				t.Errorf("%s: answer %+v, %v; want unsupported", c.ID, a, err)
			}
			tally[c.Rule][2]++
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.ID, err)
			continue
		}
		got := vectors.Answer{Value: a.Value, ErrorClass: a.ErrorClass}
		pass, why := vectors.Judge(c, got)
		known, diverges := c.Divergences["js-waku"]
		switch {
		case pass && diverges:
			t.Errorf("%s: js-waku passes; its recorded divergence (%s) is stale", c.ID, known.Source)
		case !pass && !diverges:
			t.Errorf("%s: js-waku fails unexpectedly: %s", c.ID, why)
		case !pass:
			if ok, why := vectors.Judge(vectors.Case{Expect: known.Answer}, got); !ok {
				t.Errorf("%s: js-waku's answer is not its recorded divergence: %s", c.ID, why)
			}
		}
		if pass {
			tally[c.Rule][0]++
		} else {
			tally[c.Rule][1]++
		}
	}
	var b strings.Builder
	rules := make([]string, 0, len(tally))
	for rule := range tally {
		rules = append(rules, rule)
	}
	slices.Sort(rules)
	for _, rule := range rules {
		n := tally[rule]
		fmt.Fprintf(&b, "\n%-12s pass %3d  fail %3d  not run %3d", rule, n[0], n[1], n[2])
	}
	t.Logf("js-waku (%s) on the wire vectors:%s", r.Hello.Version, b.String())
	checkMatrix(t, r)
	if t.Failed() {
		t.Logf("driver's standard error:\n%s", r.Stderr())
	}
}

// checkMatrix plays the vectors through the runner, as
// cmd/conformance -driver does, and checks js-waku's column: the rules it
// breaks fail (WIRE-3 through its rsv bit order), protected shards are not
// run. WIRE-13 passes on what the driver can run (records and peer-exchange
// decoding); js-waku's record filtering, which checks neither waku2 nor
// cluster nor shards, runs only inside a libp2p node and is not run.
func checkMatrix(t *testing.T, r *conformance.Remote) {
	t.Helper()
	vs, err := conformance.LoadVectors("../vectors")
	if err != nil {
		t.Fatal(err)
	}
	m := conformance.BuildMatrix(conformance.RunAll(nil, vs, conformance.DriverColumns(r)))
	want := map[string]string{
		"WIRE-1": "fail", "WIRE-2": "fail", "WIRE-3": "fail", "WIRE-4": "fail", "WIRE-5": "pass", "WIRE-6": "fail",
		"WIRE-7": "fail", "WIRE-8": "fail", "WIRE-9": "fail", "WIRE-13": "pass", "SEC-1": "unsupported",
	}
	for _, row := range m.Rows {
		w, ok := want[row.Rule.ID]
		if !ok {
			continue
		}
		delete(want, row.Rule.ID)
		if got := row.Cells[0].Status; got != w {
			t.Errorf("matrix %s, js-waku: %s, want %s (%v)", row.Rule.ID, got, w, row.Cells[0].Failures)
		}
		if row.Rule.ID == "WIRE-3" && !slices.ContainsFunc(row.Cells[0].Failures, func(f string) bool {
			return strings.Contains(f, "nwaku-bit-vector")
		}) {
			t.Errorf("matrix WIRE-3, js-waku: the rsv bit order is not among the failures %v", row.Cells[0].Failures)
		}
	}
	for rule := range want {
		t.Errorf("matrix has no row %s", rule)
	}
}

func TestPackagesArePinned(t *testing.T) {
	pkgs, err := Packages()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"@waku/core@0.0.40", "@waku/enr@0.0.33", "@waku/proto@0.0.15", "@waku/utils@0.0.27"}
	if !slices.Equal(pkgs, want) {
		t.Fatalf("Packages() = %v, want %v", pkgs, want)
	}
}
