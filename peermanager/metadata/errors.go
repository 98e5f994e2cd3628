package metadata

import (
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wakupm/wakupm/peermanager/internal/reqresp"
)

// DecodeError reports a metadata message that is not valid protobuf. The
// peer that sent it is not speaking the protocol; there is nothing to retry.
type DecodeError struct {
	Offset int              // byte offset of the field that failed
	Field  protowire.Number // its field number, 0 when the tag itself failed
	Err    error
}

func decodeError(off int, field protowire.Number, err error) *DecodeError {
	return &DecodeError{Offset: off, Field: field, Err: err}
}

func (e *DecodeError) Error() string {
	if e.Field == 0 {
		return fmt.Sprintf("metadata: malformed message at byte %d: %v", e.Offset, e.Err)
	}
	return fmt.Sprintf("metadata: malformed field %d at byte %d: %v", e.Field, e.Offset, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Stage names the step of a metadata exchange that failed.
type Stage uint8

// Stages of Service.Request.
const (
	// StageOpen: opening the stream, which includes protocol negotiation; a
	// peer that does not speak metadata fails here (see ErrUnsupported).
	StageOpen = Stage(reqresp.StepOpen)
	// StageWrite: sending our metadata.
	StageWrite = Stage(reqresp.StepWrite)
	// StageRead: reading the answer (timeout, reset, size limit).
	StageRead = Stage(reqresp.StepRead)
	// StageDecode: the answer is not a valid metadata message.
	StageDecode = StageRead + 1
)

func (s Stage) String() string {
	switch s {
	case StageOpen:
		return "open stream"
	case StageWrite:
		return "write request"
	case StageRead:
		return "read response"
	case StageDecode:
		return "decode response"
	}
	return fmt.Sprintf("Stage(%d)", uint8(s))
}

// ErrUnsupported is wrapped by a RequestError when the peer does not support
// /vac/waku/metadata/1.0.0 (protocol negotiation failed).
var ErrUnsupported = errors.New("peer does not support " + string(ProtocolID))

// RequestError reports a failed metadata request. Policy.Decide turns it
// into an action; callers that only log can print it.
type RequestError struct {
	Peer  peer.ID
	Stage Stage
	Err   error
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("metadata: request to %s failed to %s: %v", e.Peer, e.Stage, e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

// OptionError reports an invalid option value given to NewService.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("metadata: invalid option %s: %s", e.Option, e.Reason)
}
