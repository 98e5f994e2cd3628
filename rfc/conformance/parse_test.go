package conformance

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseGrammar(t *testing.T) {
	src := `# Rule: RELAY-31, RELAY-32
set floor=6 grace=0s
subscribe 1
> dial p1
RELAY-7: > discover 1 8
@nwaku,gowaku ? peers 1 >= 2   # a comment
rules SEL-1
RELAY-3,RELAY-4: @wakupm ? backoff p1 = 10s
advance 30s
discovered p[1-4] shards=1 ip=10.0.0.$i
presets wakupm jswaku
`
	sc, err := ParseScenario("x.scenario", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		kind  LineKind
		line  int
		text  string
		only  []string
		rules []string
	}
	wants := []want{
		{LineSet, 2, "set floor=6 grace=0s", nil, []string{"RELAY-31", "RELAY-32"}},
		{LineEvent, 3, "subscribe 1", nil, []string{"RELAY-31", "RELAY-32"}},
		{LineExpect, 4, "dial p1", nil, []string{"RELAY-31", "RELAY-32"}},
		{LineExpect, 5, "discover 1 8", nil, []string{"RELAY-7"}},
		{LineQuery, 6, "peers 1", []string{"nwaku", "go-waku"}, []string{"RELAY-31", "RELAY-32"}},
		{LineQuery, 8, "backoff p1", []string{"wakupm"}, []string{"RELAY-3", "RELAY-4"}},
		{LineAdvance, 9, "advance 30s", nil, []string{"SEL-1"}},
		{LineEvent, 10, "discovered p[1-4] shards=1 ip=10.0.0.$i", nil, []string{"SEL-1"}},
	}
	if len(sc.Lines) != len(wants) {
		t.Fatalf("%d lines, want %d: %+v", len(sc.Lines), len(wants), sc.Lines)
	}
	for i, w := range wants {
		l := sc.Lines[i]
		if l.Kind != w.kind || l.Line != w.line || l.RawText != w.text || !slices.Equal(l.Only, w.only) || !slices.Equal(l.Rules, w.rules) {
			t.Errorf("line %d: got kind %d line %d %q only %v rules %v, want %+v", i, l.Kind, l.Line, l.RawText, l.Only, l.Rules, w)
		}
	}
	if q := sc.Lines[4]; q.Op != ">=" || q.Want != "2" {
		t.Errorf("query op %q want %q", q.Op, q.Want)
	}
	if ev := sc.Lines[7]; ev.Opts["shards"] != "1" || ev.Args[0] != "p[1-4]" {
		t.Errorf("event opts %v args %v", ev.Opts, ev.Args)
	}
	if !slices.Equal(sc.Presets, []string{"wakupm", "js-waku"}) {
		t.Errorf("presets %v", sc.Presets)
	}
}

func TestParseMalformed(t *testing.T) {
	cases := []struct {
		name, src, reason string
		line              int
	}{
		{"filter alone", "@nwaku", "without a line", 1},
		{"label alone", "tick\nRELAY-1:", "without a line", 2},
		{"empty expectation", "tick\n>", "empty", 2},
		{"query without op", "? peers 1", "query needs", 1},
		{"bad comparison", "? peers 1 ~ 4", "unknown comparison", 1},
		{"rules without ids", "rules", "rules header", 1},
		{"bad rule id", "rules relay-7", "not a rule id", 1},
		{"bad rule comment", "# Rule: seven", "not a rule id", 1},
		{"presets without names", "presets", "presets needs", 1},
		{"advance without duration", "tick\n\nadvance", "advance takes one duration", 3},
		{"advance bad duration", "advance soon", "not a duration", 1},
		{"set positional", "set floor", "key=value", 1},
		{"empty key", "discovered p1 =3", "without a key", 1},
		{"two filters", "@nwaku @gowaku tick", "two profile filters", 1},
		{"empty profile", "@nwaku, tick", "empty profile", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseScenario("bad.scenario", strings.NewReader(c.src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *ParseError", err)
			}
			if pe.File != "bad.scenario" || pe.Line != c.line || !strings.Contains(pe.Reason, c.reason) {
				t.Errorf("got %v, want bad.scenario:%d: …%s…", err, c.line, c.reason)
			}
			if !strings.HasPrefix(err.Error(), "bad.scenario:") {
				t.Errorf("error %q does not start with file:line", err)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	c := Command{Line: 1, Kind: LineEvent, Name: "discovered", Args: []string{"p[2-4]"},
		Opts: map[string]string{"shards": "$i%2", "ip": "10.0.0.$i"}, RawText: "x"}
	out, err := Expand(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[0].Args[0] != "p2" || out[2].Opts["ip"] != "10.0.0.4" || out[1].Opts["shards"] != "3%2" {
		t.Errorf("expanded %+v", out)
	}
	if _, err := Expand(Command{Line: 7, Args: []string{"p[4-1]"}}); err == nil || !strings.Contains(err.Error(), "line 7") {
		t.Errorf("bad range: %v", err)
	}
	l, err := ParseIntList("1,3-5,2*3+1")
	if err != nil || !slices.Equal(l, []int{1, 3, 4, 5, 7}) {
		t.Errorf("ParseIntList = %v, %v", l, err)
	}
}

func TestWireToken(t *testing.T) {
	for in, want := range map[string]string{
		"30s": "30000", "1m20s": "80000", "63.75ms": "63.75", "0s": "0", "p1": "p1", "10.0.0.1": "10.0.0.1",
		"1,2": "1,2", "4": "4", "7h": "25200000",
	} {
		if got := WireToken(in); got != want {
			t.Errorf("WireToken(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"10s": "10000", "4": "4", "true": "true", "p1,p2": "p1,p2", "1m0s": "60000"} {
		got, err := valueText(answerValue(in))
		if err != nil || got != want {
			t.Errorf("answer %q reads %q (%v), want %q", in, got, err, want)
		}
	}
}
