package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzParseScenario: any text parses or fails with a *ParseError naming
// the file; never a panic.
func FuzzParseScenario(f *testing.F) {
	for _, s := range []string{
		"rules RELAY-1\nsubscribe 1\n> dial p1\n? peers 1 >= 1\n",
		"# Rule: SEL-1, SEL-2\n@wakupm,rfc RELAY-7: ? x = 1\nadvance 1m20s\n",
		"discovered p[1-4] shards=$i%2 ip=10.0.0.$i\n",
		"@\n", "RELAY-1:\n", "? a\n", "set x\n", "advance\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		sc, err := ParseScenario("f.scenario", strings.NewReader(src))
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) && !strings.HasPrefix(err.Error(), "f.scenario") {
			t.Fatalf("error %v is not a ParseError", err)
		}
		if err == nil {
			for _, c := range sc.Lines {
				_, _ = Expand(c)
			}
		}
	})
}

// FuzzServe: the built-in driver answers every line of any input with one
// JSON answer, and never panics.
func FuzzServe(f *testing.F) {
	for _, s := range []string{
		`{"id":0,"op":"hello","protocol":1}`,
		`{"id":1,"op":"start","vocabulary":"relay","profile":"wakupm"}` + "\n" + `{"id":2,"op":"event","now_ms":1735689600000,"name":"subscribe","args":["1"]}`,
		`{"id":1,"op":"start","vocabulary":"selector","profile":"js-waku"}` + "\n" + `{"id":2,"op":"query","name":"error"}`,
		`{"id":1,"op":"start","vocabulary":"wire","profile":"rfc"}` + "\n" + `{"id":2,"op":"wire","kind":"enr-rs","input":{"hex":"0001"}}`,
		`{"id":`, `{"id":3}`, `[]`, `{"id":1,"op":"configure","params":{"a":"b"}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var out bytes.Buffer
		if err := BuiltinServer().Serve(strings.NewReader(in), &out); err != nil {
			return // a line too long for the scanner
		}
		sc := bufio.NewScanner(&out)
		for sc.Scan() {
			var a Answer
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil || a.Status == "" {
				t.Fatalf("answer %q: %v", sc.Text(), err)
			}
		}
	})
}
