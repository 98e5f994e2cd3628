package conformance

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExpectedMatrix plays the whole suite against the built-in profiles
// through the protocol and compares the matrix with the committed one: a
// changed cell is a behaviour change to review (regenerate with
// go run ./rfc/conformance/cmd/conformance -write-expected).
func TestExpectedMatrix(t *testing.T) {
	got, err := ExpectedMatrix(".")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(ExpectedMatrixFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the matrix differs from %s (- committed, + now):\n%s", ExpectedMatrixFile, lineDiff(string(want), string(got)))
	}
}

// TestRecommendationPasses: the recommendation (wakupm, and rfc with other
// compliant values) fails no check; only incumbents have known failures.
func TestRecommendationPasses(t *testing.T) {
	files, vectors, err := LoadSuite(".")
	if err != nil {
		t.Fatal(err)
	}
	cols, r, err := BuiltinColumns()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res := RunAll(files, vectors, cols[:2])
	for _, col := range res.Columns {
		for _, c := range res.Checks[col] {
			if c.Outcome != Pass {
				t.Errorf("%s: %s:%d %v: %s %s", col, c.File, c.Line, c.Rules, c.Outcome, c.Detail)
			}
		}
	}
}

// TestRFCTableIsGenerated: the RFC's rule → scenario table is the one the
// scenario files give (go run ./rfc/conformance/cmd/conformance -write-table).
func TestRFCTableIsGenerated(t *testing.T) {
	have, want, err := GeneratedRFC(".")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Errorf("rfc/peer-management.md's table is stale (- in the RFC, + generated):\n%s", lineDiff(string(have), string(want)))
	}
}

// TestEveryCheckNamesARule: every expectation and query names a rule of
// the catalogue, and every rule id of the RFC is in the catalogue.
func TestEveryCheckNamesARule(t *testing.T) {
	files, _, err := LoadSuite(".")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range Rules() {
		known[r.ID] = true
	}
	for _, f := range files {
		for _, l := range f.Scenario.Lines {
			if l.Kind != LineExpect && l.Kind != LineQuery {
				continue
			}
			if len(l.Rules) == 0 {
				t.Errorf("%s:%d: %q names no rule (add a rules header or a RULE-N: label)", f.Path, l.Line, l.RawText)
			}
			for _, id := range l.Rules {
				if !known[id] {
					t.Errorf("%s:%d: rule %s is not in rules.tsv", f.Path, l.Line, id)
				}
			}
		}
	}
	rfc, err := os.ReadFile(filepath.Join("..", "peer-management.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range boldRuleID.FindAllStringSubmatch(string(rfc), -1) {
		if !known[m[1]] {
			t.Errorf("the RFC states %s, missing from rules.tsv", m[1])
		}
	}
}

// TestBuiltinSelfTest runs the protocol's self-test against the built-in
// server, in-process.
func TestBuiltinSelfTest(t *testing.T) {
	r, err := ServeRemote(BuiltinServer())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range SelfTest(r) {
		if c.Err != nil {
			t.Errorf("%s: %v", c.Case, c.Err)
		}
	}
}

// lineDiff lists the lines only in a (-) and only in b (+).
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
