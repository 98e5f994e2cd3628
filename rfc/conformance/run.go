package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Driver connects the runner to one implementation under test, fresh for
// each (scenario, preset) run. Events and queries are the suite's
// vocabulary; the runner only knows the line kinds.
type Driver interface {
	// Configure applies a "set" line; it comes before the first event.
	Configure(cmd Command) error
	// Exec applies an event line at now and returns the actions it
	// produced, one per string, in the suite's action syntax. Strings
	// starting with "notice " are notifications: expectations check them
	// only when they list one.
	Exec(now time.Time, cmd Command) ([]string, error)
	// Query returns the value a "?" line names.
	Query(now time.Time, cmd Command) (string, error)
}

// Suite is a family of scenarios sharing one vocabulary and driver.
type Suite struct {
	// Name is the suite's directory under scenarios/ ("relay").
	Name string
	// DefaultPresets are run when a scenario names none.
	DefaultPresets []string
	// NewDriver returns a driver for a preset ("wakupm", "nwaku", ...).
	NewDriver func(preset string) (Driver, error)
}

// Epoch is the virtual time at which every scenario starts.
var Epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// RunDir runs every *.scenario file of dir as a subtest.
func RunDir(t *testing.T, suite Suite, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.scenario"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no scenarios in %s", dir)
	}
	sort.Strings(files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".scenario"), func(t *testing.T) {
			RunFile(t, suite, f)
		})
	}
}

// RunFile runs one scenario file against each of its presets.
func RunFile(t *testing.T, suite Suite, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := ParseScenario(filepath.Base(path), f)
	if err != nil {
		t.Fatal(err)
	}
	presets := sc.Presets
	if len(presets) == 0 {
		presets = suite.DefaultPresets
	}
	for _, preset := range presets {
		t.Run(preset, func(t *testing.T) {
			d, err := suite.NewDriver(preset)
			if err != nil {
				t.Fatalf("preset %s: %v", preset, err)
			}
			if errs := Play(sc, preset, d); len(errs) > 0 {
				for _, e := range errs {
					t.Error(e)
				}
			}
		})
	}
}

// Play runs a parsed scenario against a driver for one preset and returns
// every failed expectation (nil when the implementation conforms). It stops
// at the first error of the driver itself.
func Play(sc *Scenario, preset string, d Driver) []error {
	var errs []error
	fail := func(c Command, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s:%d [%s] %s: %s", sc.Name, c.Line, preset, c.RawText, fmt.Sprintf(format, a...)))
	}
	now := Epoch
	var last *Command
	var got []string
	var want []Command
	started := false
	flush := func() {
		if last != nil && len(want) > 0 {
			checkActions(*last, got, want, func(format string, a ...any) { fail(*last, format, a...) })
		}
		last, got, want = nil, nil, nil
	}
	for i := range sc.Lines {
		c := sc.Lines[i]
		if !c.appliesTo(preset) {
			continue
		}
		switch c.Kind {
		case LineSet:
			if started {
				fail(c, "set after the first event")
				return errs
			}
			if err := d.Configure(c); err != nil {
				fail(c, "%v", err)
				return errs
			}
		case LineAdvance:
			flush()
			step, err := time.ParseDuration(strings.Join(c.Args, ""))
			if err != nil || step < 0 {
				fail(c, "advance needs a positive duration")
				return errs
			}
			now = now.Add(step)
		case LineEvent:
			flush()
			started = true
			cmds, err := Expand(c)
			if err != nil {
				fail(c, "%v", err)
				return errs
			}
			for _, e := range cmds {
				out, err := d.Exec(now, e)
				if err != nil {
					fail(c, "%v", err)
					return errs
				}
				got = append(got, out...)
			}
			last = &sc.Lines[i]
		case LineExpect:
			if last == nil {
				fail(c, "expectation without a preceding event")
				return errs
			}
			want = append(want, c)
		case LineQuery:
			flush()
			v, err := d.Query(now, c)
			if err != nil {
				fail(c, "%v", err)
				return errs
			}
			if !compare(v, c.Op, c.Want) {
				fail(c, "got %s, want %s %s", v, c.Op, c.Want)
			}
		}
	}
	flush()
	return errs
}

// checkActions compares the actions of one event with its expectations as
// multisets. "> none" expects no action; notices are compared only when an
// expectation names one; "> ..." allows actions that are not listed.
func checkActions(ev Command, got []string, want []Command, fail func(string, ...any)) {
	withNotices, open := false, false
	var exp []string
	for _, w := range want {
		switch w.RawText {
		case "none":
			continue
		case "...":
			open = true
			continue
		}
		if strings.HasPrefix(w.RawText, "notice ") {
			withNotices = true
		}
		exp = append(exp, w.RawText)
	}
	var act []string
	for _, g := range got {
		if withNotices || !strings.HasPrefix(g, "notice ") {
			act = append(act, g)
		}
	}
	slices.Sort(exp)
	slices.Sort(act)
	missing, extra := diff(exp, act)
	if len(missing) > 0 || (!open && len(extra) > 0) {
		fail("actions differ\n  missing: %s\n  unexpected: %s\n  all actions: %s",
			listOrDash(missing), listOrDash(extraIf(!open, extra)), listOrDash(got))
	}
}

func extraIf(keep bool, s []string) []string {
	if keep {
		return s
	}
	return nil
}

func listOrDash(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, "; ")
}

// diff returns the elements of sorted a missing from sorted b, and the
// elements of b not in a (multiset difference).
func diff(a, b []string) (missing, extra []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			missing = append(missing, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			extra = append(extra, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return missing, extra
}

// compare compares numerically when both sides are numbers or durations,
// else as strings (only = and != then).
func compare(got, op, want string) bool {
	g, gerr := number(got)
	w, werr := number(want)
	if gerr != nil || werr != nil {
		switch op {
		case "=":
			return got == want
		case "!=":
			return got != want
		}
		return false
	}
	switch op {
	case "=":
		return g == w
	case "!=":
		return g != w
	case ">=":
		return g >= w
	case "<=":
		return g <= w
	}
	return false
}

func number(s string) (float64, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v, nil
	}
	d, err := time.ParseDuration(s)
	return float64(d), err
}
