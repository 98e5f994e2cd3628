package service_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wakupm/wakupm/service"
	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/slots"
)

// fakeStream is a service.Stream over a buffer that records a reset and
// its deadline.
type fakeStream struct {
	bytes.Buffer
	deadline time.Time
	reset    bool
}

func (f *fakeStream) SetDeadline(t time.Time) error { f.deadline = t; return nil }
func (f *fakeStream) Reset() error                  { f.reset = true; return nil }

// ReadRequest returns a frame within the limit, drains an oversized one
// for its refusal, and resets the stream on broken framing or a frame too
// large to drain.
func TestReadRequest(t *testing.T) {
	for _, tt := range []struct {
		name              string
		in                []byte
		frame             string
		tooLarge, ok, rst bool
	}{
		{"frame", wire.AppendFrame(nil, []byte("req")), "req", false, true, false},
		{"oversized, drained", wire.AppendFrame(nil, make([]byte, 11)), "", true, true, false},
		{"oversized past the drain", wire.AppendFrame(nil, make([]byte, 21)), "", false, false, true},
		{"truncated", []byte{0x05, 'a'}, "", false, false, true},
		{"empty", nil, "", false, false, true},
	} {
		st := &fakeStream{}
		st.Write(tt.in)
		frame, tooLarge, ok := service.ReadRequest(st, time.Minute, 10, 20)
		if string(frame) != tt.frame || (tooLarge != nil) != tt.tooLarge || ok != tt.ok || st.reset != tt.rst {
			t.Errorf("%s: frame %q, tooLarge %v, ok %v, reset %v; want %q, %v, %v, %v",
				tt.name, frame, tooLarge, ok, st.reset, tt.frame, tt.tooLarge, tt.ok, tt.rst)
		}
		if tooLarge != nil && !errors.Is(tooLarge, wire.ErrFrameTooLarge) {
			t.Errorf("%s: tooLarge %v is not ErrFrameTooLarge", tt.name, tooLarge)
		}
		if st.deadline.IsZero() {
			t.Errorf("%s: no deadline set", tt.name)
		}
	}
}

// AdmissionRefusal answers a slots.Rejection with its status and reason,
// and leaves any other error to the service.
func TestAdmissionRefusal(t *testing.T) {
	rej := &slots.Rejection{Service: slots.Filter, Reason: slots.ReasonPeerLimit}
	code, desc, ok := service.AdmissionRefusal(fmt.Errorf("admit: %w", rej))
	if !ok || code != 429 || desc != rej.Reason.String() {
		t.Errorf("rejection: %d %q %v", code, desc, ok)
	}
	if _, _, ok := service.AdmissionRefusal(errors.New("not connected")); ok {
		t.Error("another error taken for a rejection")
	}
}
