package vectors

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

// data holds every vector file, so that the runner and the drivers need no
// path to the repository.
//
//go:embed */*.json
var data embed.FS

// File is one vector file: a group of cases of one kind.
type File struct {
	Kind        string `json:"kind"`
	Description string `json:"description"`
	Cases       []Case `json:"cases"`
	// Path is the file's path below the vectors directory (not in the JSON).
	Path string `json:"-"`
}

// Case is one vector.
type Case struct {
	Name        string           `json:"name"`
	Rule        string           `json:"rule"`
	Source      string           `json:"source"`
	Input       json.RawMessage  `json:"input"`
	Expect      Answer           `json:"expect"`
	Note        string           `json:"note,omitempty"`
	Divergences map[string]Known `json:"divergences,omitempty"`
	// Kind is the file's kind; ID is <kind>/<group>/<name> (not in the JSON).
	Kind string `json:"-"`
	ID   string `json:"-"`
}

// Answer is a decoded value or an error class, exactly one of them: the
// expectation of a case, and the answer of a driver's wire request.
type Answer struct {
	Value      json.RawMessage `json:"value,omitempty"`
	ErrorClass string          `json:"error_class,omitempty"`
}

// Known is an implementation's known divergent answer (informative).
type Known struct {
	Answer
	Source string `json:"source"`
}

// Error classes (README.md, "Error classes").
const (
	ClassMalformed        = "malformed"
	ClassBadLength        = "bad-length"
	ClassOutOfRange       = "out-of-range"
	ClassUnsupportedValue = "unsupported-value"
	ClassBadSignature     = "bad-signature"
	ClassStale            = "stale"
	ClassReplay           = "replay"
	// ClassRejected is answered by a driver that knows only that its
	// implementation refused the input; it matches any expected class.
	ClassRejected = "rejected"
)

// Classes lists the classes a vector may expect.
var Classes = []string{ClassMalformed, ClassBadLength, ClassOutOfRange,
	ClassUnsupportedValue, ClassBadSignature, ClassStale, ClassReplay}

// Kinds lists the kinds README.md defines, in its order.
var Kinds = []string{KindPubsubTopic, KindContentTopic, KindAutoshard,
	KindENRRS, KindENRRSV, KindENRWaku2, KindENRMultiaddrs, KindENR, KindENRShardsWriter,
	KindDiscoveryFilter, KindMetadata, KindPeerExchange, KindMessageHash, KindProtected}

// Kind names.
const (
	KindPubsubTopic   = "pubsub-topic"
	KindContentTopic  = "content-topic"
	KindAutoshard     = "autoshard"
	KindENRRS         = "enr-rs"
	KindENRRSV        = "enr-rsv"
	KindENRWaku2      = "enr-waku2"
	KindENRMultiaddrs = "enr-multiaddrs"
	KindENR           = "enr"
	// KindENRShardsWriter is the one writer kind: the keys a node puts in
	// its record for a shard list (WIRE-4).
	KindENRShardsWriter = "enr-shards-writer"
	// KindDiscoveryFilter: whether a discovered record is kept (WIRE-6,
	// WIRE-13).
	KindDiscoveryFilter = "discovery-filter"
	KindMetadata        = "metadata"
	KindPeerExchange    = "peer-exchange"
	KindMessageHash     = "message-hash"
	KindProtected       = "protected"
)

var (
	caseName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	ruleID   = regexp.MustCompile(`^([A-Z]+-[0-9]+|informative)$`)
)

// FormatError reports a vector file that does not follow README.md.
type FormatError struct {
	Path   string
	Case   string
	Reason string
}

func (e *FormatError) Error() string {
	if e.Case == "" {
		return fmt.Sprintf("vectors: %s: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("vectors: %s: case %q: %s", e.Path, e.Case, e.Reason)
}

// Load reads and checks every vector file embedded in the package, in path
// order.
func Load() ([]File, error) { return LoadFS(data) }

// LoadFS reads and checks every <kind>/<group>.json file of fsys.
func LoadFS(fsys fs.FS) ([]File, error) {
	paths, err := fs.Glob(fsys, "*/*.json")
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	files := make([]File, 0, len(paths))
	for _, p := range paths {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		f, err := parseFile(p, b)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// Cases returns the cases of files in order.
func Cases(files []File) []Case {
	var out []Case
	for _, f := range files {
		out = append(out, f.Cases...)
	}
	return out
}

func parseFile(p string, b []byte) (File, error) {
	var f File
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, &FormatError{Path: p, Reason: err.Error()}
	}
	f.Path = p
	if dir := path.Dir(p); f.Kind != dir {
		return File{}, &FormatError{Path: p, Reason: fmt.Sprintf("kind %q in directory %q", f.Kind, dir)}
	}
	if !slices.Contains(Kinds, f.Kind) {
		return File{}, &FormatError{Path: p, Reason: fmt.Sprintf("unknown kind %q", f.Kind)}
	}
	if f.Description == "" || len(f.Cases) == 0 {
		return File{}, &FormatError{Path: p, Reason: "description and cases are required"}
	}
	group := strings.TrimSuffix(path.Base(p), ".json")
	seen := map[string]bool{}
	for i := range f.Cases {
		c := &f.Cases[i]
		c.Kind = f.Kind
		c.ID = f.Kind + "/" + group + "/" + c.Name
		if err := checkCase(c, seen); err != "" {
			return File{}, &FormatError{Path: p, Case: c.Name, Reason: err}
		}
	}
	return f, nil
}

func checkCase(c *Case, seen map[string]bool) string {
	switch {
	case !caseName.MatchString(c.Name):
		return "name must match " + caseName.String()
	case seen[c.Name]:
		return "duplicate name"
	case !ruleID.MatchString(c.Rule):
		return fmt.Sprintf("rule %q is not a rule id", c.Rule)
	case c.Source == "":
		return "source is required"
	case len(c.Input) == 0 || c.Input[0] != '{':
		return "input must be an object"
	}
	seen[c.Name] = true
	if err := checkAnswer(c.Expect, false); err != "" {
		return "expect: " + err
	}
	for impl, k := range c.Divergences {
		// A known answer may be "rejected": refused without a class.
		if err := checkAnswer(k.Answer, true); err != "" {
			return "divergences[" + impl + "]: " + err
		}
		if k.Source == "" {
			return "divergences[" + impl + "]: source is required"
		}
	}
	return ""
}

func checkAnswer(a Answer, rejectedOK bool) string {
	hasValue, hasClass := len(a.Value) > 0, a.ErrorClass != ""
	switch {
	case hasValue == hasClass:
		return "exactly one of value and error_class"
	case rejectedOK && a.ErrorClass == ClassRejected:
	case hasClass && !slices.Contains(Classes, a.ErrorClass):
		return fmt.Sprintf("unknown error class %q", a.ErrorClass)
	}
	return ""
}
