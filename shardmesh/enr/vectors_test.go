package enr_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/wakupm/wakupm/rfc/conformance/vectors"
	"github.com/wakupm/wakupm/shardmesh/enr"
)

// The rs and rsv vectors (published and error cases, each citing its
// source) live in rfc/conformance/vectors/enr-rs and enr-rsv, where every
// implementation runs them; these tests add what only a Go test can check:
// the typed error, and that a canonical value re-encodes to its bytes.

// relayShardCases returns the cases of kind with their input bytes.
func relayShardCases(t *testing.T, kind string) (cases []vectors.Case, inputs [][]byte) {
	t.Helper()
	files, err := vectors.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range vectors.Cases(files) {
		if c.Kind != kind {
			continue
		}
		var in struct{ Hex string }
		if err := json.Unmarshal(c.Input, &in); err != nil {
			t.Fatal(err)
		}
		b, err := hex.DecodeString(in.Hex)
		if err != nil {
			t.Fatal(err)
		}
		cases, inputs = append(cases, c), append(inputs, b)
	}
	if len(cases) == 0 {
		t.Fatalf("no %s vectors", kind)
	}
	return cases, inputs
}

func testRelayShardVectors(t *testing.T, kind, key string, decode func([]byte) (enr.RelayShards, error), encode func(enr.RelayShards) ([]byte, error)) {
	cases, inputs := relayShardCases(t, kind)
	for i, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			got, err := decode(inputs[i])
			if c.Expect.ErrorClass != "" {
				var e *enr.Error
				if !errors.As(err, &e) || e.Key != key || errors.Is(err, enr.ErrFieldAbsent) {
					t.Fatalf("%s: err = %v, want an *enr.Error on %q (%s)", c.Source, err, key, c.Expect.ErrorClass)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", c.Source, err)
			}
			var want vectors.ShardsValue
			if err := json.Unmarshal(c.Expect.Value, &want); err != nil {
				t.Fatal(err)
			}
			if got.Cluster != want.Cluster || len(got.Indices)+len(want.Shards) > 0 && !slices.Equal(got.Indices, want.Shards) {
				t.Fatalf("%s: got %+v, want %+v", c.Source, got, want)
			}
			// A canonical value re-encodes to its bytes: every rsv, and an
			// rs without duplicates (its count is the number of shards).
			if len(got.Indices) == 0 || kind == vectors.KindENRRS && int(inputs[i][2]) != len(got.Indices) {
				return
			}
			enc, err := encode(got)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(enc, inputs[i]) {
				t.Fatalf("re-encoded %x, vector %x", enc, inputs[i])
			}
		})
	}
}

// TestDecodeRSPublishedVectors runs vectors/enr-rs (published values and
// the errors a reader must raise).
func TestDecodeRSPublishedVectors(t *testing.T) {
	testRelayShardVectors(t, vectors.KindENRRS, enr.KeyRS, enr.DecodeRS, enr.RelayShards.EncodeRS)
}

// TestDecodeRSVPublishedVectors runs vectors/enr-rsv: the nwaku/go-waku bit
// order, the specification's inconsistent example and js-waku's encoding,
// read in that order.
func TestDecodeRSVPublishedVectors(t *testing.T) {
	testRelayShardVectors(t, vectors.KindENRRSV, enr.KeyRSV, enr.DecodeRSV, enr.RelayShards.EncodeRSV)
}

// TestDecodeRSErrors checks the Problem of each rs error vector's class.
func TestDecodeRSErrors(t *testing.T) {
	problems := map[string][]enr.Problem{
		vectors.ClassBadLength:  {enr.ProblemTruncated, enr.ProblemCountMismatch, enr.ProblemOversized},
		vectors.ClassOutOfRange: {enr.ProblemOutOfRange},
	}
	cases, inputs := relayShardCases(t, vectors.KindENRRS)
	for i, c := range cases {
		if c.Expect.ErrorClass == "" {
			continue
		}
		_, err := enr.DecodeRS(inputs[i])
		var e *enr.Error
		if !errors.As(err, &e) || !slices.Contains(problems[c.Expect.ErrorClass], e.Problem) {
			t.Errorf("%s: err = %v, want a problem of class %s", c.ID, err, c.Expect.ErrorClass)
		}
	}
}
