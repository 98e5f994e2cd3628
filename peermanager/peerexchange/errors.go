package peerexchange

import (
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wakupm/wakupm/peermanager/internal/reqresp"
)

// DecodeError reports a peer-exchange message that is not valid protobuf.
type DecodeError struct {
	Offset int              // byte offset of the failing field within its (sub)message
	Field  protowire.Number // its field number, 0 when the tag itself failed
	Err    error
}

func (e *DecodeError) Error() string {
	if e.Field == 0 {
		return fmt.Sprintf("peerexchange: malformed message at byte %d: %v", e.Offset, e.Err)
	}
	return fmt.Sprintf("peerexchange: malformed field %d at byte %d: %v", e.Field, e.Offset, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// ErrNoResponse is wrapped by a RequestError when the answer carries no
// response message.
var ErrNoResponse = errors.New("answer carries no response")

// StatusError reports a response whose status is not success. A
// StatusTooManyRequests asks the caller to wait before asking this peer
// again; StatusServiceUnavailable says the peer has nothing to give now.
type StatusError struct {
	Code StatusCode
	Desc string
}

func (e *StatusError) Error() string {
	if e.Desc == "" {
		return fmt.Sprintf("peerexchange: responder answered %v", e.Code)
	}
	return fmt.Sprintf("peerexchange: responder answered %v: %s", e.Code, e.Desc)
}

// Stage names the step of a request that failed.
type Stage uint8

// Stages of Client.Request.
const (
	StageOpen   = Stage(reqresp.StepOpen)  // opening the stream and negotiating the protocol
	StageWrite  = Stage(reqresp.StepWrite) // sending the query
	StageRead   = Stage(reqresp.StepRead)  // reading the answer (timeout, reset, size limit)
	StageDecode = StageRead + 1            // the answer is not a valid PeerExchangeRPC
	StageStatus = StageDecode + 1          // the responder answered with an error status
)

func (s Stage) String() string {
	switch s {
	case StageOpen:
		return "open stream"
	case StageWrite:
		return "write query"
	case StageRead:
		return "read response"
	case StageDecode:
		return "decode response"
	case StageStatus:
		return "get a success status"
	}
	return fmt.Sprintf("Stage(%d)", uint8(s))
}

// RequestError reports a failed request to one peer. Another responder may
// do better; a *StatusError inside says what the responder itself said.
type RequestError struct {
	Peer  peer.ID
	Stage Stage
	Err   error
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("peerexchange: request to %s failed to %s: %v", e.Peer, e.Stage, e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

// OptionError reports an invalid option or argument.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("peerexchange: invalid %s: %s", e.Option, e.Reason)
}
