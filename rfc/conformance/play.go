package conformance

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Outcome is the result of one check for one implementation.
type Outcome uint8

// Outcomes of a check.
const (
	Pass Outcome = iota + 1
	Fail
	// NotRun: the implementation answered "unsupported" to the check or to
	// a line before it in the same scenario.
	NotRun
)

// Where is "file:line" for a scenario check, "file#case" for a vector.
func (c Check) Where() string {
	if c.Name != "" {
		return c.File + "#" + c.Name
	}
	return fmt.Sprintf("%s:%d", c.File, c.Line)
}

func (o Outcome) String() string {
	switch o {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case NotRun:
		return "unsupported"
	}
	return "?"
}

// Check is one expectation (an event's "> " lines, or a "? " line, or a
// wire vector) played for one profile.
type Check struct {
	File    string // path relative to the suite's root ("relay/x.scenario")
	Line    int    // scenario checks
	Name    string // vector checks: the case's name
	Rules   []string
	Outcome Outcome
	Detail  string // why it failed or was not run
}

// Play runs a parsed scenario against a driver for one profile and returns
// every failed expectation (nil when the implementation conforms).
func Play(sc *Scenario, profile string, d Driver) []error {
	var errs []error
	for _, c := range PlayChecks(sc, profile, d) {
		if c.Outcome == Fail {
			errs = append(errs, fmt.Errorf("%s:%d [%s] %s", sc.Name, c.Line, profile, c.Detail))
		}
	}
	return errs
}

// player is the state of one scenario played for one profile.
type player struct {
	sc      *Scenario
	profile string
	d       Driver
	checks  []Check
	now     time.Time
	started bool
	// the event whose actions are pending a check, and its expectations
	last *Command
	got  []string
	want []Command
}

// PlayChecks runs a parsed scenario against a driver for one profile and
// returns one Check per expectation that applies to the profile. After an
// "unsupported" answer to a set line or an event, or a driver error there,
// the rest of the scenario is not run.
func PlayChecks(sc *Scenario, profile string, d Driver) []Check {
	p := &player{sc: sc, profile: profile, d: d, now: Epoch}
	for i := range sc.Lines {
		c := &sc.Lines[i]
		if !c.appliesTo(profile) {
			continue
		}
		if stop := p.line(c); stop != nil {
			p.skipRest(i, c, stop)
			break
		}
	}
	p.flush()
	return p.checks
}

func (p *player) add(c *Command, rules []string, o Outcome, detail string) {
	p.checks = append(p.checks, Check{File: p.sc.Name, Line: c.Line, Rules: rules, Outcome: o, Detail: detail})
}

// line plays one line; a non-nil error stops the scenario.
func (p *player) line(c *Command) error {
	switch c.Kind {
	case LineSet:
		if p.started {
			return fmt.Errorf("set after the first event")
		}
		return p.d.Configure(*c)
	case LineAdvance:
		p.flush()
		step, err := parseDur(strings.Join(c.Args, ""))
		if err != nil || step < 0 {
			return fmt.Errorf("advance needs a positive duration")
		}
		p.now = p.now.Add(step)
		if a, ok := p.d.(advancer); ok {
			return a.Advance(p.now)
		}
	case LineEvent:
		p.flush()
		p.started = true
		cmds, err := Expand(*c)
		if err != nil {
			return err
		}
		for _, e := range cmds {
			out, err := p.d.Exec(p.now, e)
			if err != nil {
				return err
			}
			p.got = append(p.got, out...)
		}
		p.last = c
	case LineExpect:
		if p.last == nil {
			return fmt.Errorf("expectation without a preceding event")
		}
		p.want = append(p.want, *c)
	case LineQuery:
		p.flush()
		p.query(c)
	}
	return nil
}

func (p *player) query(c *Command) {
	v, err := p.d.Query(p.now, *c)
	switch {
	case errors.Is(err, ErrUnsupported):
		p.add(c, c.Rules, NotRun, err.Error())
	case err != nil:
		p.add(c, c.Rules, Fail, fmt.Sprintf("%s: %v", c.RawText, err))
	default:
		got := v
		if t, err := valueText(answerValue(v)); err == nil {
			got = t
		}
		if compare(got, c.Op, WireToken(c.Want)) {
			p.add(c, c.Rules, Pass, "")
		} else {
			p.add(c, c.Rules, Fail, fmt.Sprintf("%s: got %s, want %s %s", c.RawText, got, c.Op, c.Want))
		}
	}
}

// flush checks the pending event's actions against its expectations.
func (p *player) flush() {
	if p.last != nil && len(p.want) > 0 {
		var msg string
		checkActions(*p.last, p.got, p.want, func(format string, a ...any) { msg = fmt.Sprintf(format, a...) })
		if msg == "" {
			p.add(p.last, expectRules(p.want), Pass, "")
		} else {
			p.add(p.last, expectRules(p.want), Fail, p.last.RawText+": "+strings.ReplaceAll(msg, "\n  ", "; "))
		}
	}
	p.last, p.got, p.want = nil, nil, nil
}

// skipRest records the line that stopped the scenario, and every later
// check of the profile as not run (unsupported) or failed (driver error:
// the implementation could not go on).
func (p *player) skipRest(i int, c *Command, stop error) {
	o, why := Fail, fmt.Sprintf("%s: %v", c.RawText, stop)
	if errors.Is(stop, ErrUnsupported) {
		o = NotRun
	}
	// The stopping line: an event with expectations is that check.
	p.last, p.got, p.want = nil, nil, nil
	rules := c.Rules
	if c.Kind == LineEvent {
		if w := p.expectationsAfter(i); len(w) > 0 {
			rules = expectRules(w)
		}
	}
	p.add(c, rules, o, why)
	for j := i + 1; j < len(p.sc.Lines); j++ {
		l := &p.sc.Lines[j]
		if !l.appliesTo(p.profile) {
			continue
		}
		switch l.Kind {
		case LineQuery:
			p.add(l, l.Rules, NotRun, "not run: "+why)
		case LineEvent:
			if w := p.expectationsAfter(j); len(w) > 0 {
				p.add(l, expectRules(w), NotRun, "not run: "+why)
			}
		}
	}
}

// expectationsAfter returns the "> " lines that follow event i for the
// profile.
func (p *player) expectationsAfter(i int) []Command {
	var w []Command
	for j := i + 1; j < len(p.sc.Lines); j++ {
		l := p.sc.Lines[j]
		if !l.appliesTo(p.profile) {
			continue
		}
		if l.Kind != LineExpect {
			break
		}
		w = append(w, l)
	}
	return w
}

// expectRules is the union of the rules of an event's expectations.
func expectRules(want []Command) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range want {
		for _, r := range w.Rules {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}
