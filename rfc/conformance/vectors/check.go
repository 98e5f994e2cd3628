package vectors

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrUnknownKind is returned by Check for a kind it has no decoder for; a
// driver answers such a request "unsupported".
var ErrUnknownKind = errors.New("vectors: unknown kind")

// InputError reports an input that does not have the fields its kind
// defines (README.md, "Kinds"): the request is wrong, not the implementation.
type InputError struct {
	Kind   string
	Reason string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("vectors: %s input: %s", e.Kind, e.Reason)
}

// checkers decode one kind's input with wakupm's codecs.
var checkers = map[string]func(json.RawMessage) (any, string, error){
	KindPubsubTopic:     checkPubsubTopic,
	KindContentTopic:    checkContentTopic,
	KindAutoshard:       checkAutoshard,
	KindENRRS:           checkRS,
	KindENRRSV:          checkRSV,
	KindENRWaku2:        checkWaku2,
	KindENRMultiaddrs:   checkMultiaddrs,
	KindENR:             checkENR,
	KindMetadata:        checkMetadata,
	KindPeerExchange:    checkPeerExchange,
	KindMessageHash:     checkMessageHash,
	KindProtected:       checkProtected,
	KindENRShardsWriter: checkShardsWriter,
	KindDiscoveryFilter: checkDiscoveryFilter,
}

// Check decodes input, a vector's input of the given kind, with wakupm's
// codecs and returns the decoded value in the kind's JSON form (marshal it
// with encoding/json) or the class of the rejection. err is non-nil only
// when the request cannot be run: ErrUnknownKind, or an *InputError.
func Check(kind string, input json.RawMessage) (value any, errClass string, err error) {
	f, ok := checkers[kind]
	if !ok {
		return nil, "", fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	return f(input)
}

// CheckAnswer is Check with the result as an Answer, ready for Judge.
func CheckAnswer(kind string, input json.RawMessage) (Answer, error) {
	v, class, err := Check(kind, input)
	if err != nil {
		return Answer{}, err
	}
	if class != "" {
		return Answer{ErrorClass: class}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return Answer{}, fmt.Errorf("vectors: %s value: %w", kind, err)
	}
	return Answer{Value: b}, nil
}

// decodeInput reads input into dst, refusing unknown fields so that a typo
// in a vector file does not go unnoticed.
func decodeInput(kind string, input json.RawMessage, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(input))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return &InputError{Kind: kind, Reason: err.Error()}
	}
	return nil
}

// hexInput is the input of the byte-string kinds.
type hexInput struct {
	Hex *string `json:"hex"`
}

func decodeHexInput(kind string, input json.RawMessage) ([]byte, error) {
	var in hexInput
	if err := decodeInput(kind, input, &in); err != nil {
		return nil, err
	}
	if in.Hex == nil {
		return nil, &InputError{Kind: kind, Reason: `missing "hex"`}
	}
	return decodeHex(kind, "hex", *in.Hex)
}

func decodeHex(kind, field, s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, &InputError{Kind: kind, Reason: fmt.Sprintf("%s: %v", field, err)}
	}
	return b, nil
}

// ShardsValue is the value of enr-rs, enr-rsv and of the shards of enr.
type ShardsValue struct {
	Cluster uint16   `json:"cluster"`
	Shards  []uint16 `json:"shards"`
}

// ClassValue stands in for a field of a record that the decoder refused.
type ClassValue struct {
	ErrorClass string `json:"error_class"`
}
