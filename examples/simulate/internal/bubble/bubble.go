package bubble

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// ErrNotRun is returned when the testing framework did not run the bubble.
var ErrNotRun = errors.New("bubble: the synctest bubble did not run")

// Run calls f inside a synctest bubble and returns f's error. f receives the
// bubble's *testing.T (useful for helpers that want testing.TB); f must not
// call t.FailNow or t.Fatal — return an error instead.
//
// Run is meant for main programs; it also works from a test (the framework
// then runs a nested test). Calls must not overlap. The testing framework
// registers its -test.* flags on flag.CommandLine: parse your own flags with
// a separate flag.FlagSet.
// While Run executes, os.Stdout is redirected to a temporary file so that
// the framework's "PASS" line never mixes with the program's output; write
// progress to os.Stderr or to a writer captured before the call.
func Run(f func(t *testing.T) error) error {
	var (
		ran    bool
		runErr error
	)
	tests := []testing.InternalTest{{
		Name: "Bubble",
		F: func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ran = true
				runErr = f(t)
			})
		},
	}}
	m := testing.MainStart(deps{}, tests, nil, nil, nil)
	// Inside a test binary (this package's own tests and examples) the
	// -test.* flags are already set: the inner run would reopen and close
	// the outer run's test log and profiles, and repeat f for -test.count.
	// Run the inner framework on the defaults and give the flags back.
	defer resetTestFlags()()
	// No -test.* flags: no timeout, no profiles, not verbose.
	if err := flag.CommandLine.Parse(nil); err != nil {
		return fmt.Errorf("bubble: initialising the testing flags: %w", err)
	}
	// The framework prints its verdict ("PASS") and any test failure to
	// os.Stdout. Keep that away from the program's output, and show it
	// only when something went wrong.
	captured, err := os.CreateTemp("", "bubble-*.log")
	if err != nil {
		return fmt.Errorf("bubble: creating the framework's log file: %w", err)
	}
	defer os.Remove(captured.Name())
	defer captured.Close()
	stdout := os.Stdout
	os.Stdout = captured
	code := m.Run()
	os.Stdout = stdout
	if runErr != nil {
		return runErr
	}
	if !ran || code != 0 {
		if _, err := captured.Seek(0, io.SeekStart); err == nil {
			_, _ = io.Copy(os.Stderr, captured)
		}
	}
	if !ran {
		return ErrNotRun
	}
	if code != 0 {
		return fmt.Errorf("bubble: the synctest bubble failed (exit code %d); see the messages above", code)
	}
	return nil
}

// corpusEntry mirrors testing's unexported alias of the same unnamed struct
// type, which the fuzzing methods of the dependency interface mention.
type corpusEntry = struct {
	Parent     string
	Path       string
	Data       []byte
	Values     []any
	Generation int
	IsSeed     bool
}

// deps implements the testing framework's dependency interface with the
// smallest behaviour a single test with no profiling, coverage or fuzzing
// needs.
type deps struct{}

var errUnsupported = errors.New("bubble: not supported")

func (deps) ImportPath() string                          { return "" }
func (deps) ModulePath() string                          { return "" }
func (deps) MatchString(pat, str string) (bool, error)   { return true, nil }
func (deps) SetPanicOnExit0(bool)                        {}
func (deps) StartCPUProfile(io.Writer) error             { return errUnsupported }
func (deps) StopCPUProfile()                             {}
func (deps) StartTestLog(io.Writer)                      {}
func (deps) StopTestLog() error                          { return nil }
func (deps) WriteProfileTo(string, io.Writer, int) error { return errUnsupported }
func (deps) CoordinateFuzzing(time.Duration, int64, time.Duration, int64, int, []corpusEntry, []reflect.Type, string, string) error {
	return errUnsupported
}
func (deps) RunFuzzWorker(func(corpusEntry) error) error { return errUnsupported }
func (deps) ReadCorpus(string, []reflect.Type) ([]corpusEntry, error) {
	return nil, errUnsupported
}
func (deps) CheckCorpus([]any, []reflect.Type) error { return nil }
func (deps) ResetCoverage()                          {}
func (deps) SnapshotCoverage()                       {}
func (deps) InitRuntimeCoverage() (string, func(string, string) (string, error), func() float64) {
	return "", nil, nil
}

// resetTestFlags sets every -test.* flag to its default and returns the
// function that restores the previous values.
func resetTestFlags() (restore func()) {
	type saved struct{ name, value string }
	var prev []saved
	flag.CommandLine.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, "test.") && f.Value.String() != f.DefValue {
			prev = append(prev, saved{f.Name, f.Value.String()})
			_ = f.Value.Set(f.DefValue)
		}
	})
	return func() {
		for _, p := range prev {
			_ = flag.CommandLine.Set(p.name, p.value)
		}
	}
}
