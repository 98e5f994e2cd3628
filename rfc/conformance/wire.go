package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/wakupm/wakupm/rfc/conformance/vectors"
)

// BuiltinWire decodes a wire vector's input with wakupm's codecs
// (vectors.Check): the driver side of the wire vocabulary.
func BuiltinWire(kind string, input json.RawMessage) (json.RawMessage, string, error) {
	a, err := vectors.CheckAnswer(kind, input)
	if errors.Is(err, vectors.ErrUnknownKind) {
		return nil, "", fmt.Errorf("%v: %w", err, ErrUnsupported)
	}
	if err != nil {
		return nil, "", err
	}
	return a.Value, a.ErrorClass, nil
}

// LoadVectors reads the vector files under dir (vectors/README.md) as
// checks the runner plays: each case is sent verbatim as a wire request
// and judged by vectors.Judge.
func LoadVectors(dir string) ([]Vector, error) {
	files, err := vectors.LoadFS(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	var out []Vector
	for _, f := range files {
		for _, c := range f.Cases {
			out = append(out, Vector{
				File: "vectors/" + f.Path, Name: c.Name, Rules: []string{c.Rule},
				Kind: c.Kind, Input: c.Input,
				Judge: func(value json.RawMessage, errorClass string) error {
					if ok, why := vectors.Judge(c, vectors.Answer{Value: value, ErrorClass: errorClass}); !ok {
						return errors.New(why)
					}
					return nil
				},
			})
		}
	}
	return out, nil
}
