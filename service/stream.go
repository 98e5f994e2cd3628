package service

import (
	"errors"
	"io"
	"time"

	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/slots"
)

// Stream is what a service's stream handler uses of a libp2p stream
// (network.Stream satisfies it); this package links no libp2p.
type Stream interface {
	io.Reader
	SetDeadline(time.Time) error
	Reset() error
}

// ReadRequest is the prologue of the filter and light push stream
// handlers: it gives st a deadline of timeout from now and reads one
// length-prefixed request frame of at most limit bytes. It returns
//   - the frame, nil, true: the request to decode;
//   - nil, the *wire.FrameSizeError, true: the frame was over limit and its
//     bytes (at most drain of them) were read and dropped, so that a client
//     still writing reads the answer: refuse with the error as description;
//   - nil, nil, false: broken framing, an early end, or a frame too large
//     even to drain: st has been reset and gets no answer.
func ReadRequest(st Stream, timeout time.Duration, limit int, drain uint64) (frame []byte, tooLarge error, ok bool) {
	_ = st.SetDeadline(time.Now().Add(timeout))
	frame, err := wire.ReadFrame(st, limit)
	switch {
	case err == nil:
		return frame, nil, true
	case errors.Is(err, wire.ErrFrameTooLarge) && wire.DiscardOversized(st, err, drain):
		return nil, err, true
	default:
		_ = st.Reset()
		return nil, nil, false
	}
}

// AdmissionRefusal maps a refusal of slot admission (a *slots.Rejection in
// err's chain) to the status code and description a service answers with
// (slots.Reason.StatusCode: 429 or 503). ok is false for any other error,
// which each service maps as its protocol says.
func AdmissionRefusal(err error) (code uint32, desc string, ok bool) {
	var rej *slots.Rejection
	if !errors.As(err, &rej) {
		return 0, "", false
	}
	return rej.StatusCode(), rej.Reason.String(), true
}
