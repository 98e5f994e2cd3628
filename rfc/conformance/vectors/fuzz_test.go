package vectors

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzCheck feeds arbitrary inputs of every kind to Check, which decodes
// requests a runner sends to the wakupm driver: it must never panic, and it
// answers exactly one of a value, a class or an error.
func FuzzCheck(f *testing.F) {
	files, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range Cases(files) {
		f.Add(c.Kind, []byte(c.Input))
	}
	f.Fuzz(func(t *testing.T, kind string, input []byte) {
		v, class, err := Check(kind, json.RawMessage(input))
		switch {
		case err != nil:
			var ie *InputError
			if !errors.Is(err, ErrUnknownKind) && !errors.As(err, &ie) {
				t.Fatalf("%s %q: error %v is neither ErrUnknownKind nor an *InputError", kind, input, err)
			}
			if v != nil || class != "" {
				t.Fatalf("%s %q: an error with a value or class", kind, input)
			}
		case (v == nil) == (class == ""):
			t.Fatalf("%s %q: value %v and class %q", kind, input, v, class)
		case v != nil:
			if _, err := json.Marshal(v); err != nil {
				t.Fatalf("%s %q: value does not marshal: %v", kind, input, err)
			}
		}
	})
}
