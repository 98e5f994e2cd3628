package conformance

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// ruleID is an RFC statement id ("RELAY-7").
var ruleID = regexp.MustCompile(`^[A-Z]+-[0-9]+$`)

// ruleLabel is a line's own rule label ("RELAY-7:" or "RELAY-7,RELAY-8:").
var ruleLabel = regexp.MustCompile(`^[A-Z]+-[0-9]+(,[A-Z]+-[0-9]+)*:$`)

// ruleComment is the comment form of a rules header ("# Rule: RELAY-31,
// RELAY-32"), as new scenario files start.
var ruleComment = regexp.MustCompile(`^\s*#\s*[Rr]ules?:\s*(.*)$`)

// ParseError is a malformed scenario line.
type ParseError struct {
	File   string
	Line   int
	Reason string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason) }

// ParseScenario reads the text format of README.md (section "Grammar").
// Errors are *ParseError naming the file and line.
func ParseScenario(name string, r io.Reader) (*Scenario, error) {
	ps := &parser{sc: &Scenario{Name: name}}
	in := bufio.NewScanner(r)
	for in.Scan() {
		ps.n++
		if err := ps.line(in.Text()); err != nil {
			return nil, err
		}
	}
	if err := in.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return ps.sc, nil
}

type parser struct {
	sc    *Scenario
	n     int
	rules []string // the current rules header
}

func (ps *parser) errf(format string, a ...any) error {
	return &ParseError{File: ps.sc.Name, Line: ps.n, Reason: fmt.Sprintf(format, a...)}
}

// parseRuleList reads "RELAY-1, RELAY-2" or "RELAY-1 RELAY-2".
func (ps *parser) parseRuleList(s string) ([]string, error) {
	var ids []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if !ruleID.MatchString(f) {
			return nil, ps.errf("%q is not a rule id (like RELAY-7)", f)
		}
		ids = append(ids, f)
	}
	if len(ids) == 0 {
		return nil, ps.errf("rules header without a rule id")
	}
	return ids, nil
}

func (ps *parser) line(text string) error {
	if m := ruleComment.FindStringSubmatch(text); m != nil {
		ids, err := ps.parseRuleList(m[1])
		if err != nil {
			return err
		}
		ps.rules = ids
		return nil
	}
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[:i]
	}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return nil
	}
	cmd := Command{Line: ps.n, Rules: ps.rules}
	fields, err := ps.prefixes(fields, &cmd)
	if err != nil {
		return err
	}
	switch fields[0] {
	case "rules":
		if cmd.Only != nil || len(fields) < 2 {
			return ps.errf("rules header needs rule ids and takes no filter")
		}
		ids, err := ps.parseRuleList(strings.Join(fields[1:], " "))
		ps.rules = ids
		return err
	case "presets":
		if len(fields) < 2 {
			return ps.errf("presets needs at least one name")
		}
		for _, p := range fields[1:] {
			ps.sc.Presets = append(ps.sc.Presets, canonicalProfile(p))
		}
		return nil
	case ">":
		cmd.Kind, fields = LineExpect, fields[1:]
	case "?":
		cmd.Kind, fields = LineQuery, fields[1:]
	case "set":
		cmd.Kind = LineSet
	case "advance":
		cmd.Kind = LineAdvance
		if len(fields) != 2 {
			return ps.errf("advance takes one duration")
		}
		if d, err := parseDur(fields[1]); err != nil || d < 0 {
			return ps.errf("advance: %q is not a duration", fields[1])
		}
	default:
		cmd.Kind = LineEvent
	}
	if err := ps.body(text, fields, &cmd); err != nil {
		return err
	}
	ps.sc.Lines = append(ps.sc.Lines, cmd)
	return nil
}

// prefixes reads a profile filter and a rule label, in either order.
func (ps *parser) prefixes(fields []string, cmd *Command) ([]string, error) {
	for range 2 {
		switch {
		case strings.HasPrefix(fields[0], "@"):
			if cmd.Only != nil {
				return nil, ps.errf("two profile filters")
			}
			for _, p := range strings.Split(strings.TrimPrefix(fields[0], "@"), ",") {
				if p == "" {
					return nil, ps.errf("empty profile name in %q", fields[0])
				}
				cmd.Only = append(cmd.Only, canonicalProfile(p))
			}
			fields = fields[1:]
		case ruleLabel.MatchString(fields[0]):
			cmd.Rules = strings.Split(strings.TrimSuffix(fields[0], ":"), ",")
			fields = fields[1:]
		}
		if len(fields) == 0 {
			return nil, ps.errf("profile filter or rule label without a line")
		}
	}
	return fields, nil
}

// body reads a line's name, arguments, options and, for a query, its
// comparison.
func (ps *parser) body(text string, fields []string, cmd *Command) error {
	if len(fields) == 0 {
		return ps.errf("empty %q line", strings.TrimSpace(text))
	}
	if cmd.Kind == LineQuery {
		if len(fields) < 3 {
			return ps.errf("query needs \"name [args] op value\"")
		}
		cmd.Op, cmd.Want = fields[len(fields)-2], fields[len(fields)-1]
		switch cmd.Op {
		case "=", ">=", "<=", "!=":
		default:
			return ps.errf("unknown comparison %q (one of = != >= <=)", cmd.Op)
		}
		fields = fields[:len(fields)-2]
	}
	cmd.RawText = strings.Join(fields, " ")
	cmd.Name = fields[0]
	cmd.Opts = map[string]string{}
	for _, f := range fields[1:] {
		if k, v, ok := strings.Cut(f, "="); ok && cmd.Kind != LineExpect {
			if k == "" {
				return ps.errf("option %q without a key", f)
			}
			cmd.Opts[k] = v
		} else {
			cmd.Args = append(cmd.Args, f)
		}
	}
	if cmd.Kind == LineSet && len(cmd.Args) > 0 {
		return ps.errf("set takes key=value options only, got %q", cmd.Args[0])
	}
	return nil
}
