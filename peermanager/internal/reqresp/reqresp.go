// Package reqresp runs one request/response exchange of the Waku protocols
// that send one length-delimited message each way (metadata, peer
// exchange) over a new libp2p stream, bounded in time and in size. The
// protocols' packages build and decode the messages and name the errors;
// this package owns the stream.
package reqresp

import (
	"context"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/peermanager/internal/frame"
)

// Step is the part of an exchange that failed. The protocols' own Stage
// types start with the same values.
type Step uint8

// Steps of Request.
const (
	// StepOpen: opening the stream, protocol negotiation included.
	StepOpen Step = iota + 1
	// StepWrite: sending the request.
	StepWrite
	// StepRead: reading the answer (timeout, reset, size limit).
	StepRead
)

// Request opens a stream to p for proto, writes req as one frame, reads one
// frame of at most maxRead bytes and closes the stream. Everything happens
// within ctx: the stream's deadline is ctx's, and the stream is reset as soon
// as ctx ends (a deadline alone would not notice a cancellation). On failure
// it returns the step that failed; write and read errors name ctx's error
// when ctx ended or its deadline passed (a reset stream only says "stream
// reset").
func Request(ctx context.Context, h host.Host, p peer.ID, proto protocol.ID, req []byte, maxRead int) ([]byte, Step, error) {
	st, err := h.NewStream(ctx, p, proto)
	if err != nil {
		return nil, StepOpen, err
	}
	stop := context.AfterFunc(ctx, func() { _ = st.Reset() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		_ = st.SetDeadline(dl)
	}
	if err := frame.Write(st, req); err != nil {
		_ = st.Reset()
		return nil, StepWrite, contextCause(ctx, err)
	}
	msg, err := frame.Read(st, maxRead)
	if err != nil {
		_ = st.Reset()
		return nil, StepRead, contextCause(ctx, err)
	}
	_ = st.Close()
	return msg, 0, nil
}

// contextCause names the context's error when ctx ended, because a reset
// stream reports only "stream reset", and reports a stream deadline (set from
// ctx) as context.DeadlineExceeded even when it fires before ctx's own timer.
func contextCause(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%w (%w)", ctxErr, err)
	}
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
	}
	return err
}
