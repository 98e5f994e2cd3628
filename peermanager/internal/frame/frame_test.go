package frame

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestRoundTripAndNoOverRead(t *testing.T) {
	var stream bytes.Buffer
	first := bytes.Repeat([]byte{0xab}, 300) // two-byte prefix
	if err := Write(&stream, first); err != nil {
		t.Fatal(err)
	}
	if err := Write(&stream, nil); err != nil {
		t.Fatal(err)
	}
	stream.WriteString("tail")

	got, err := Read(&stream, 1024)
	if err != nil || !bytes.Equal(got, first) {
		t.Fatalf("first message: %v, %d bytes", err, len(got))
	}
	got, err = Read(&stream, 1024)
	if err != nil || len(got) != 0 {
		t.Fatalf("empty message: %v, %d bytes", err, len(got))
	}
	if rest := stream.String(); rest != "tail" {
		t.Fatalf("Read consumed past its message; left %q", rest)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		limit int
		check func(error) bool
	}{
		{"empty stream", nil, 10, func(err error) bool { return err == io.EOF }},
		{"prefix cut", []byte{0x80}, 10, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }},
		{"body cut", []byte{5, 1, 2}, 10, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }},
		{"over limit", []byte{11}, 10, func(err error) bool {
			var se *SizeError
			return errors.As(err, &se) && se.Size == 11 && se.Limit == 10
		}},
		{"prefix over three bytes", []byte{0x80, 0x80, 0x80, 0x01}, 1 << 30, func(err error) bool {
			var se *SizeError
			return errors.As(err, &se)
		}},
		{"non-minimal prefix", []byte{0x81, 0x00, 0xff}, 10, func(err error) bool { return errors.Is(err, ErrLengthPrefix) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tt.input), tt.limit)
			if !tt.check(err) {
				t.Fatalf("unexpected error %v", err)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{3, 1, 2, 3})
	f.Add([]byte{0xac, 0x02})
	f.Add([]byte{0x80, 0x80, 0x80, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := Read(bytes.NewReader(data), 512)
		if err != nil {
			return
		}
		if len(msg) > 512 {
			t.Fatalf("message of %d bytes passed a 512-byte limit", len(msg))
		}
		if enc := Append(nil, msg); !bytes.HasPrefix(data, enc) {
			t.Fatalf("re-encoding %x is not a prefix of the input %x", enc, data)
		}
	})
}
