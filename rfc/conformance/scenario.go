package conformance

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// LineKind is the role of a scenario line.
type LineKind uint8

// Kinds of lines.
const (
	// LineEvent feeds an event to the implementation ("subscribe 1").
	LineEvent LineKind = iota + 1
	// LineExpect states one action the previous event must produce
	// ("> dial p1").
	LineExpect
	// LineQuery asserts a value of the implementation's state
	// ("? peers 1 = 4").
	LineQuery
	// LineSet configures the implementation before the first event
	// ("set floor=6").
	LineSet
	// LineAdvance moves the virtual clock ("advance 30s").
	LineAdvance
	// LinePresets lists the presets the scenario runs against.
	LinePresets
)

// Command is one parsed line: a name, positional arguments and key=value
// options, with the presets it applies to (empty: all).
type Command struct {
	Line    int
	Kind    LineKind
	Only    []string // presets this line applies to; empty for all
	Name    string
	Args    []string
	Opts    map[string]string
	Op      string // queries: "=", ">=", "<=", "!="
	Want    string // queries: expected value
	RawText string
	// Rules are the ids of the RFC statements the line checks: its own
	// label ("RELAY-7: ? peers 1 = 4") or else the file's current "rules"
	// header.
	Rules []string
}

// Opt returns option key, or def when absent.
func (c Command) Opt(key, def string) string {
	if v, ok := c.Opts[key]; ok {
		return v
	}
	return def
}

// Arg returns positional argument i, or an error naming the line.
func (c Command) Arg(i int) (string, error) {
	if i >= len(c.Args) {
		return "", fmt.Errorf("line %d: %q needs argument %d", c.Line, c.Name, i+1)
	}
	return c.Args[i], nil
}

func (c Command) appliesTo(preset string) bool {
	return len(c.Only) == 0 || slices.Contains(c.Only, preset)
}

// String returns the line as written (without the preset filter).
func (c Command) String() string { return c.RawText }

// Scenario is a parsed scenario file.
type Scenario struct {
	Name string
	// Presets is the legacy "presets" line: the profiles the file was
	// written for. The runner plays every file against every profile.
	Presets []string
	Lines   []Command
}

// Expand returns the commands a line stands for. A positional argument
// "name[a-b]" (e.g. p[1-20]) repeats the line for i = a..b with the name
// p1..p20, and "$i" in every argument and option replaced by i; otherwise
// the line itself.
func Expand(c Command) ([]Command, error) {
	at := -1
	var lo, hi int
	for j, a := range c.Args {
		open, close := strings.IndexByte(a, '['), strings.IndexByte(a, ']')
		if open < 0 || close != len(a)-1 {
			continue
		}
		l, h, ok := strings.Cut(a[open+1:close], "-")
		var err1, err2 error
		lo, err1 = strconv.Atoi(l)
		hi, err2 = strconv.Atoi(h)
		if !ok || err1 != nil || err2 != nil || hi < lo || hi-lo > 100_000 {
			return nil, fmt.Errorf("line %d: bad range %q", c.Line, a)
		}
		at = j
		break
	}
	if at < 0 {
		return []Command{c}, nil
	}
	base := c.Args[at][:strings.IndexByte(c.Args[at], '[')]
	out := make([]Command, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		is := strconv.Itoa(i)
		e := c
		e.Args = make([]string, len(c.Args))
		for j, a := range c.Args {
			e.Args[j] = strings.ReplaceAll(a, "$i", is)
		}
		e.Args[at] = base + is
		e.Opts = make(map[string]string, len(c.Opts))
		for k, v := range c.Opts {
			e.Opts[k] = strings.ReplaceAll(v, "$i", is)
		}
		out = append(out, e)
	}
	return out, nil
}

// ParseIntList parses "1,2,5-9" where each bound may be an integer
// expression with + * % (after $i substitution), e.g. "4*7-4*7+3".
// "none" is the empty list.
func ParseIntList(s string) ([]int, error) {
	if s == "" || s == "none" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := evalExpr(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = evalExpr(hi); err != nil {
				return nil, err
			}
		}
		if b < a || b-a > 1<<16 {
			return nil, fmt.Errorf("bad range %q", part)
		}
		for v := a; v <= b; v++ {
			out = append(out, v)
		}
	}
	return out, nil
}

// evalExpr evaluates sums of products/remainders of non-negative integers.
func evalExpr(s string) (int, error) {
	sum := 0
	for _, term := range strings.Split(s, "+") {
		v, err := evalTerm(term)
		if err != nil {
			return 0, err
		}
		sum += v
	}
	return sum, nil
}

func evalTerm(s string) (int, error) {
	acc, op := 0, byte('*')
	first := true
	for len(s) > 0 {
		i := strings.IndexAny(s, "*%")
		tok := s
		if i >= 0 {
			tok = s[:i]
		}
		v, err := strconv.Atoi(strings.TrimSpace(tok))
		if err != nil {
			return 0, fmt.Errorf("bad number %q", tok)
		}
		switch {
		case first:
			acc, first = v, false
		case op == '*':
			acc *= v
		case v == 0:
			return 0, fmt.Errorf("remainder by zero")
		default:
			acc %= v
		}
		if i < 0 {
			break
		}
		op, s = s[i], s[i+1:]
	}
	if first {
		return 0, fmt.Errorf("empty expression")
	}
	return acc, nil
}
