package conformance

import (
	_ "embed"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

//go:embed rules.tsv
var rulesTSV string

// Rule is one RFC statement of the catalogue (rules.tsv).
type Rule struct {
	ID    string `json:"id"`
	Level string `json:"level"` // MUST, SHOULD, MAY or a mix ("MUST / SHOULD")
	Title string `json:"title"`
	Notes string `json:"notes,omitempty"`
}

// Rules returns the catalogue of RFC statements, in the RFC's order.
func Rules() []Rule {
	var out []Rule
	for _, l := range strings.Split(rulesTSV, "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, "\t")
		for len(f) < 4 {
			f = append(f, "")
		}
		out = append(out, Rule{ID: f[0], Level: f[1], Title: f[2], Notes: f[3]})
	}
	return out
}

// Cell is one (rule, implementation) result.
type Cell struct {
	Outcome  Outcome  `json:"-"` // 0: no check of the rule applies
	Status   string   `json:"status"`
	Passed   int      `json:"passed"`
	Failed   int      `json:"failed"`
	NotRun   int      `json:"unsupported"`
	Failures []string `json:"failures,omitempty"` // "relay/x.scenario:12: detail"
}

// Row is one rule across the columns.
type Row struct {
	Rule  Rule   `json:"rule"`
	Cells []Cell `json:"cells"`
}

// Matrix is the rule × implementation matrix.
type Matrix struct {
	Columns []string `json:"columns"`
	Rows    []Row    `json:"rows"`
}

// BuildMatrix aggregates checks by rule: a cell fails when any check
// fails, passes when some pass and none fails, is unsupported when every
// check was not run, and is "-" when no check applies. Rules outside the
// catalogue get level "?"; checks without a rule go to "(none)".
func BuildMatrix(res *Results) Matrix {
	rules := Rules()
	index := map[string]int{}
	for i, r := range rules {
		index[r.ID] = i
	}
	m := Matrix{Columns: res.Columns}
	for _, r := range rules {
		m.Rows = append(m.Rows, Row{Rule: r, Cells: make([]Cell, len(res.Columns))})
	}
	row := func(id string) *Row {
		i, ok := index[id]
		if !ok {
			i = len(m.Rows)
			index[id] = i
			m.Rows = append(m.Rows, Row{Rule: Rule{ID: id, Level: "?"}, Cells: make([]Cell, len(res.Columns))})
		}
		return &m.Rows[i]
	}
	for ci, col := range res.Columns {
		for _, c := range res.Checks[col] {
			ids := c.Rules
			if len(ids) == 0 {
				ids = []string{"(none)"}
			}
			for _, id := range ids {
				cell := &row(id).Cells[ci]
				switch c.Outcome {
				case Pass:
					cell.Passed++
				case Fail:
					cell.Failed++
					cell.Failures = append(cell.Failures, c.Where()+": "+c.Detail)
				case NotRun:
					cell.NotRun++
				}
			}
		}
	}
	for i := range m.Rows {
		for j := range m.Rows[i].Cells {
			c := &m.Rows[i].Cells[j]
			switch {
			case c.Failed > 0:
				c.Outcome = Fail
			case c.Passed > 0:
				c.Outcome = Pass
			case c.NotRun > 0:
				c.Outcome = NotRun
			}
			c.Status = c.status()
		}
	}
	return m
}

func (c Cell) status() string {
	if c.Outcome == 0 {
		return "-"
	}
	return c.Outcome.String()
}

// WriteText writes the matrix as a table, then every failure. With lines
// false the failures name files only, once each (the committed expected
// matrix, which must not change when a file gains a line).
func (m Matrix) WriteText(w io.Writer, lines bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "rule\tlevel\t%s\n", strings.Join(m.Columns, "\t"))
	for _, r := range m.Rows {
		cells := make([]string, len(r.Cells))
		for i, c := range r.Cells {
			cells[i] = c.status()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Rule.ID, strings.ReplaceAll(r.Rule.Level, " ", ""), strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	m.writeSummary(w)
	fmt.Fprintf(w, "\nfailures (rule, implementation, where):\n")
	for _, r := range m.Rows {
		for i, c := range r.Cells {
			for _, f := range failureList(c.Failures, lines) {
				fmt.Fprintf(w, "%s %s %s\n", r.Rule.ID, m.Columns[i], f)
			}
		}
	}
	return nil
}

// writeSummary counts the rules per outcome for each column, and the
// failed rules with a MUST among their levels.
func (m Matrix) writeSummary(w io.Writer) {
	fmt.Fprintf(w, "\nrules per implementation (pass / fail, of which with a MUST / unsupported / no check):\n")
	for i, col := range m.Columns {
		var n [4]int
		must := 0
		for _, r := range m.Rows {
			n[r.Cells[i].Outcome]++
			if r.Cells[i].Outcome == Fail && strings.Contains(r.Rule.Level, "MUST") {
				must++
			}
		}
		fmt.Fprintf(w, "%s: %d / %d, %d / %d / %d\n", col, n[Pass], n[Fail], must, n[NotRun], n[0])
	}
}

// failureList returns the failures as written, or their files once each.
func failureList(fs []string, lines bool) []string {
	if lines {
		return fs
	}
	var out []string
	for _, f := range fs {
		file, _, _ := strings.Cut(f, ":")
		file, _, _ = strings.Cut(file, "#")
		if !slices.Contains(out, file) {
			out = append(out, file)
		}
	}
	return out
}

// WriteJSON writes the matrix as JSON.
func (m Matrix) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes one test suite per implementation and one test case
// per rule with a check (failed, skipped when unsupported, or passed).
func (m Matrix) WriteJUnit(w io.Writer) error {
	var out junitSuites
	for i, col := range m.Columns {
		s := junitSuite{Name: col}
		for _, r := range m.Rows {
			c := r.Cells[i]
			if c.Outcome == 0 {
				continue
			}
			tc := junitCase{Name: r.Rule.ID + " (" + r.Rule.Level + ")", Classname: "conformance." + col}
			switch c.Outcome {
			case Fail:
				s.Failures++
				tc.Failure = &junitMessage{Message: fmt.Sprintf("%d of %d checks failed", c.Failed, c.Failed+c.Passed),
					Text: strings.Join(c.Failures, "\n")}
			case NotRun:
				s.Skipped++
				tc.Skipped = &junitMessage{Message: "unsupported by the implementation"}
			}
			s.Tests++
			s.Cases = append(s.Cases, tc)
		}
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
