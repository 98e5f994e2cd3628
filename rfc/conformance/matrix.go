package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// ScenarioFile is a parsed scenario with the vocabulary it speaks (its
// directory under scenarios/).
type ScenarioFile struct {
	Path       string // relative to scenarios/: "relay/backoff_schedule.scenario"
	Vocabulary string
	Scenario   *Scenario
}

// LoadScenarios parses every scenarios/<vocabulary>/*.scenario under root.
func LoadScenarios(root string) ([]ScenarioFile, error) {
	paths, err := filepath.Glob(filepath.Join(root, "*", "*.scenario"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []ScenarioFile
	for _, p := range paths {
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		sc, err := ParseScenario(rel, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, ScenarioFile{Path: rel, Vocabulary: strings.Split(rel, "/")[0], Scenario: sc})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scenarios under %s", root)
	}
	return out, nil
}

// Vector is one wire vector as the runner plays it: its place, the rules
// it checks, the request's kind and input, and how to judge the answer.
type Vector struct {
	File  string // "vectors/enr-rs/published.json"
	Name  string // the case's name in the file
	Rules []string
	Kind  string
	Input json.RawMessage
	// Judge returns nil when the answer (a decoded value or an error
	// class) is the vector's expectation.
	Judge func(value json.RawMessage, errorClass string) error
}

// Column is one implementation under one profile: a column of the matrix.
type Column struct {
	Name    string
	Remote  *Remote
	Profile string
}

// Results are the checks of every column, by column name.
type Results struct {
	Columns []string
	Checks  map[string][]Check
}

// RunAll plays every scenario and vector against every column.
func RunAll(files []ScenarioFile, vectors []Vector, cols []Column) *Results {
	res := &Results{Checks: map[string][]Check{}}
	for _, col := range cols {
		res.Columns = append(res.Columns, col.Name)
		var checks []Check
		for _, f := range files {
			checks = append(checks, PlayChecks(f.Scenario, col.Profile, col.driver(f.Vocabulary))...)
		}
		checks = append(checks, col.playVectors(vectors)...)
		res.Checks[col.Name] = checks
	}
	return res
}

// driver starts a fresh instance of the vocabulary; what the column cannot
// start becomes a driver that answers every line the same way.
func (col Column) driver(vocabulary string) Driver {
	if !slices.Contains(col.Remote.Hello.VocabulariesOK, vocabulary) {
		return stuckDriver{fmt.Errorf("vocabulary %s not declared: %w", vocabulary, ErrUnsupported)}
	}
	d, err := col.Remote.Driver(vocabulary, col.Profile)
	if err != nil {
		return stuckDriver{err}
	}
	return d
}

// stuckDriver answers every line with err.
type stuckDriver struct{ err error }

func (d stuckDriver) Configure(Command) error                   { return d.err }
func (d stuckDriver) Exec(time.Time, Command) ([]string, error) { return nil, d.err }
func (d stuckDriver) Query(time.Time, Command) (string, error)  { return "", d.err }

func (col Column) playVectors(vectors []Vector) []Check {
	if len(vectors) == 0 {
		return nil
	}
	var startErr error
	if !slices.Contains(col.Remote.Hello.VocabulariesOK, "wire") {
		startErr = fmt.Errorf("vocabulary wire not declared: %w", ErrUnsupported)
	} else {
		_, startErr = col.Remote.Driver("wire", col.Profile)
	}
	out := make([]Check, 0, len(vectors))
	for _, v := range vectors {
		c := Check{File: v.File, Name: v.Name, Rules: v.Rules}
		err := startErr
		var a Answer
		if err == nil {
			a, err = col.Remote.Wire(v.Kind, v.Input)
		}
		if err == nil {
			err = v.Judge(a.Value, a.ErrorClass)
		}
		switch {
		case err == nil:
			c.Outcome = Pass
		case errors.Is(err, ErrUnsupported):
			c.Outcome, c.Detail = NotRun, err.Error()
		default:
			c.Outcome, c.Detail = Fail, fmt.Sprintf("%s: %v", v.Kind, err)
		}
		out = append(out, c)
	}
	return out
}
