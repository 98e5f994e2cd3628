package conformance

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Driver connects the runner to one implementation under test, fresh for
// each (scenario, profile) run. An error wrapping ErrUnsupported marks
// what the implementation cannot do (not run, not failed). Events and queries are the suite's
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

// Epoch is the virtual time at which every scenario starts.
var Epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// advancer is implemented by drivers that want to hear the clock move
// (the protocol's advance request).
type advancer interface {
	Advance(now time.Time) error
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
