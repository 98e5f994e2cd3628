package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ProtocolVersion is the version of the driver protocol (PROTOCOL.md).
const ProtocolVersion = 1

// Vocabularies a driver may declare in its hello answer.
var Vocabularies = []string{"wire", "health", "relay", "slots", "selector"}

// Answer statuses of the driver protocol.
const (
	StatusOK          = "ok"
	StatusUnsupported = "unsupported"
	StatusError       = "error"
)

// ErrUnsupported marks what a driver cannot do: the line is not run rather
// than failed. Drivers wrap it (fmt.Errorf("...: %w", ErrUnsupported)).
var ErrUnsupported = errors.New("unsupported")

// Request is one line the runner writes to a driver.
type Request struct {
	ID         *int64            `json:"id"`
	Op         string            `json:"op"`
	Protocol   int               `json:"protocol,omitempty"`
	Vocabulary string            `json:"vocabulary,omitempty"`
	Profile    string            `json:"profile,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	NowMS      int64             `json:"now_ms,omitempty"`
	Name       string            `json:"name,omitempty"`
	Args       []string          `json:"args,omitempty"`
	Opts       map[string]string `json:"opts,omitempty"`
	Line       string            `json:"line,omitempty"`
	Kind       string            `json:"kind,omitempty"`
	Input      json.RawMessage   `json:"input,omitempty"`
}

// Answer is one line a driver writes back.
type Answer struct {
	ID     *int64 `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`

	// hello
	Protocol       int      `json:"protocol,omitempty"`
	Implementation string   `json:"implementation,omitempty"`
	Version        string   `json:"version,omitempty"`
	VocabulariesOK []string `json:"vocabularies,omitempty"`
	Profiles       []string `json:"profiles,omitempty"`

	// event
	Actions []string `json:"actions,omitempty"`
	// query and wire
	Value      json.RawMessage `json:"value,omitempty"`
	ErrorClass string          `json:"error_class,omitempty"`
}

// EpochMS is Epoch in Unix milliseconds: the now_ms of a scenario's start.
var EpochMS = Epoch.UnixMilli()

// durationToken is a Go-style duration as scenarios write it ("1m20s").
var durationToken = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`)

// WireToken rewrites a scenario token for the protocol: a duration
// becomes its milliseconds ("1m20s" → "80000", "63.75ms" → "63.75"); any
// other token is unchanged.
func WireToken(tok string) string {
	if !durationToken.MatchString(tok) {
		return tok
	}
	d, err := time.ParseDuration(tok)
	if err != nil {
		return tok
	}
	return formatMS(d)
}

// formatMS writes d in milliseconds, without a fraction when exact.
func formatMS(d time.Duration) string {
	if d%time.Millisecond == 0 {
		return strconv.FormatInt(d.Milliseconds(), 10)
	}
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64)
}

// parseDur reads a duration written either as milliseconds (the protocol's
// form, "30000") or in the scenario's form ("30s").
func parseDur(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(f * float64(time.Millisecond)), nil
	}
	return time.ParseDuration(s)
}

// wireList rewrites every token of a comma list; used for opts values such
// as "backoff=1m".
func wireValue(v string) string {
	if !strings.Contains(v, ",") {
		return WireToken(v)
	}
	parts := strings.Split(v, ",")
	for i, p := range parts {
		parts[i] = WireToken(p)
	}
	return strings.Join(parts, ",")
}

// requestFor builds the event or query request of an (expanded) command.
func requestFor(op string, now time.Time, c Command) Request {
	r := Request{Op: op, NowMS: now.UnixMilli(), Name: c.Name, Line: c.RawText,
		Args: make([]string, len(c.Args)), Opts: make(map[string]string, len(c.Opts))}
	for i, a := range c.Args {
		r.Args[i] = WireToken(a)
	}
	for k, v := range c.Opts {
		r.Opts[k] = wireValue(v)
	}
	return r
}

// commandFor turns an event or query request back into a Command for an
// in-process driver (the driver side of the protocol).
func commandFor(r Request) Command {
	c := Command{Name: r.Name, Args: r.Args, Opts: r.Opts, RawText: r.Line}
	if c.Opts == nil {
		c.Opts = map[string]string{}
	}
	if c.RawText == "" {
		c.RawText = strings.TrimSpace(r.Name + " " + strings.Join(r.Args, " "))
	}
	return c
}

// answerValue encodes an in-process driver's query answer: numbers and
// durations (in milliseconds) as JSON numbers, true/false as booleans,
// anything else as a string.
func answerValue(v string) json.RawMessage {
	if v == "true" || v == "false" {
		return json.RawMessage(v)
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "xXnN") {
		return json.RawMessage(v)
	}
	if durationToken.MatchString(v) || v == "0s" {
		if d, err := time.ParseDuration(v); err == nil {
			return json.RawMessage(formatMS(d))
		}
	}
	b, _ := json.Marshal(v)
	return b
}

// valueText is the runner's reading of a query value: a JSON number or
// boolean as written, a string unquoted.
func valueText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", fmt.Errorf("answer has no value")
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return string(raw), nil
}
