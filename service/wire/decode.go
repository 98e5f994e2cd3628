package wire

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// ErrMalformed is wrapped by every decode error of this package.
var ErrMalformed = errors.New("wire: malformed message")

// DecodeError says which field of which message could not be decoded.
type DecodeError struct {
	Message string // the protobuf message name
	Field   string // "" for a broken tag or framing
	Reason  string
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%v: %s: %s", ErrMalformed, e.Message, e.Reason)
	}
	return fmt.Sprintf("%v: %s.%s: %s", ErrMalformed, e.Message, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrMalformed) true.
func (e *DecodeError) Unwrap() error { return ErrMalformed }

// field is one decoded protobuf field: its number and wire type, and its
// value (v for varints, b for length-delimited).
type field struct {
	num protowire.Number
	typ protowire.Type
	v   uint64
	b   []byte
}

// walk calls f for each field of data, skipping groups and fixed-width
// fields (no message here has one) after checking they are well formed.
func walk(msg string, data []byte, f func(field) error) error {
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return &DecodeError{Message: msg, Reason: "bad tag: " + protowire.ParseError(n).Error()}
		}
		data = data[n:]
		fd := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			fd.v, n = protowire.ConsumeVarint(data)
		case protowire.BytesType:
			fd.b, n = protowire.ConsumeBytes(data)
		default:
			n = protowire.ConsumeFieldValue(num, typ, data)
		}
		if n < 0 {
			return &DecodeError{Message: msg, Reason: fmt.Sprintf("field %d: %v", num, protowire.ParseError(n))}
		}
		data = data[n:]
		if typ != protowire.VarintType && typ != protowire.BytesType {
			continue
		}
		if err := f(fd); err != nil {
			return err
		}
	}
	return nil
}

// str returns a bytes field as a string, refusing non-UTF-8 (proto3
// strings must be valid UTF-8; the Go runtime refuses them too).
func str(msg, name string, fd field) (string, error) {
	if !utf8.Valid(fd.b) {
		return "", &DecodeError{Message: msg, Field: name, Reason: "not UTF-8"}
	}
	return string(fd.b), nil
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// Shorthands for the two wire types the messages here use.
const (
	bytesT  = protowire.BytesType
	varintT = protowire.VarintType
)
