package vectors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
)

// Judge says whether got, an implementation's answer to c, passes: the same
// value (as JSON: key order ignored, numbers compared numerically), or the
// same error class, or the class "rejected" where a class is expected
// (README.md, "Verdict"). why describes a failure.
func Judge(c Case, got Answer) (pass bool, why string) {
	want := c.Expect
	switch {
	case want.ErrorClass != "" && got.ErrorClass == "":
		return false, fmt.Sprintf("accepted as %s, want error class %s", compact(got.Value), want.ErrorClass)
	case want.ErrorClass != "":
		if got.ErrorClass == want.ErrorClass || got.ErrorClass == ClassRejected {
			return true, ""
		}
		return false, fmt.Sprintf("error class %s, want %s", got.ErrorClass, want.ErrorClass)
	case got.ErrorClass != "":
		return false, fmt.Sprintf("error class %s, want %s", got.ErrorClass, compact(want.Value))
	}
	eq, err := JSONEqual(want.Value, got.Value)
	if err != nil {
		return false, err.Error()
	}
	if !eq {
		return false, fmt.Sprintf("value %s, want %s", compact(got.Value), compact(want.Value))
	}
	return true, ""
}

// JSONEqual compares two JSON texts as values: objects by key regardless of
// order, arrays in order, numbers numerically (so 4, 4.0 and 4e0 are equal
// and 64-bit integers keep their precision).
func JSONEqual(a, b json.RawMessage) (bool, error) {
	va, err := decodeJSON(a)
	if err != nil {
		return false, fmt.Errorf("vectors: invalid JSON %s: %w", compact(a), err)
	}
	vb, err := decodeJSON(b)
	if err != nil {
		return false, fmt.Errorf("vectors: invalid JSON %s: %w", compact(b), err)
	}
	return equalValues(va, vb), nil
}

func decodeJSON(b json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func equalValues(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok || !equalValues(av, bv) {
				return false
			}
		}
		return true
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !equalValues(a[i], bs[i]) {
				return false
			}
		}
		return true
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		ra, oka := new(big.Rat).SetString(a.String())
		rb, okb := new(big.Rat).SetString(bn.String())
		return oka && okb && ra.Cmp(rb) == 0
	default: // string, bool, nil
		return a == b
	}
}

func compact(b json.RawMessage) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}
