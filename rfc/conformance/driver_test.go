package conformance

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDriverBinarySelfTest builds cmd/wakupm-driver and runs the
// protocol's self-test against the process, then plays one scenario
// through it: the protocol carries the suite over real stdin/stdout.
func TestDriverBinarySelfTest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "wakupm-driver")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/wakupm-driver").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	r, err := StartRemote(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range SelfTest(r) {
		if c.Err != nil {
			t.Errorf("%s: %v", c.Case, c.Err)
		}
	}
	r, err = StartRemote(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	files, err := LoadScenarios("scenarios")
	if err != nil {
		t.Fatal(err)
	}
	var one []ScenarioFile
	for _, f := range files {
		if f.Path == "relay/backoff_schedule.scenario" {
			one = append(one, f)
		}
	}
	res := RunAll(one, nil, DriverColumns(r))
	col := res.Columns[0]
	if col != "wakupm/wakupm" || len(res.Checks[col]) == 0 {
		t.Fatalf("columns %v, %d checks", res.Columns, len(res.Checks[col]))
	}
	for _, c := range res.Checks[col] {
		if c.Outcome != Pass {
			t.Errorf("%s:%d: %s %s", c.File, c.Line, c.Outcome, c.Detail)
		}
	}
}

// TestMatrixFormats: the text, JSON and JUnit forms of one small matrix.
func TestMatrixFormats(t *testing.T) {
	res := &Results{Columns: []string{"a", "b"}, Checks: map[string][]Check{
		"a": {{File: "relay/x.scenario", Line: 3, Rules: []string{"RELAY-1"}, Outcome: Pass}},
		"b": {{File: "relay/x.scenario", Line: 3, Rules: []string{"RELAY-1"}, Outcome: Fail, Detail: "got 1"},
			{File: "relay/x.scenario", Line: 9, Rules: []string{"RELAY-2"}, Outcome: NotRun}},
	}}
	m := BuildMatrix(res)
	var text bytes.Buffer
	if err := m.WriteText(&text, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"RELAY-1   MUST", "pass", "fail", "unsupported", "RELAY-1 b relay/x.scenario:3: got 1"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := m.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Matrix
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Rows[0].Cells[1].Status != "-" {
		t.Fatalf("JSON: %v %+v", err, back.Rows[0])
	}
	var junit bytes.Buffer
	if err := m.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(junit.Bytes(), &suites); err != nil {
		t.Fatal(err)
	}
	if len(suites.Suites) != 2 || suites.Suites[1].Failures != 1 || suites.Suites[1].Skipped != 1 {
		t.Errorf("JUnit %+v", suites)
	}
}
