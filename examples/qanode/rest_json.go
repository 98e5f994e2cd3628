package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wakupm/wakupm/examples/qanode/restbody"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// messageJSON is a WakuMessage in the field names of nwaku's REST API
// (payload and meta in standard base64, timestamp in Unix nanoseconds).
type messageJSON struct {
	Payload      []byte `json:"payload"`
	ContentTopic string `json:"contentTopic"`
	Version      uint32 `json:"version,omitempty"`
	Timestamp    int64  `json:"timestamp,omitempty"`
	Meta         []byte `json:"meta,omitempty"`
	Ephemeral    bool   `json:"ephemeral,omitempty"`
}

// receivedJSON is a buffered message.
type receivedJSON struct {
	Seq uint64 `json:"seq"`
	messageJSON
	MessageHash string    `json:"messageHash"`
	From        string    `json:"from"`
	ReceivedAt  time.Time `json:"receivedAt"`
}

func toReceivedJSON(r received) receivedJSON {
	m := r.Message
	return receivedJSON{
		Seq: r.Seq,
		messageJSON: messageJSON{Payload: nonNil(m.Payload), ContentTopic: m.ContentTopic, Version: m.Version,
			Timestamp: m.Timestamp, Meta: m.Meta, Ephemeral: m.Ephemeral},
		MessageHash: r.Hash.String(), From: r.From.String(), ReceivedAt: r.ReceivedAt.UTC(),
	}
}

// nonNil makes an empty payload marshal as "" rather than null.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// statusOf maps an error to its status code.
func statusOf(err error) int {
	var he *restbody.Error
	var pe *publishError
	switch {
	case errors.As(err, &he):
		return he.Status
	case errors.As(err, &pe):
		if pe.verdict.Reason == protected.ReasonReplay {
			return http.StatusConflict
		}
		return http.StatusBadRequest
	case errors.Is(err, errNotSubscribed):
		return http.StatusNotFound
	case errors.Is(err, errClosed):
		return http.StatusServiceUnavailable
	case errors.Is(err, errKeyMismatch), errors.Is(err, protected.ErrInvalidKey), errors.Is(err, errNothingToKeep):
		return http.StatusBadRequest
	default:
		return http.StatusInternalServerError
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	writeJSON(w, statusOf(err), map[string]string{"error": err.Error()})
}

// queryUint reads an optional non-negative integer query parameter.
func queryUint(r *http.Request, name string) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, restbody.BadRequest("query parameter %s=%q: want a non-negative integer", name, v)
	}
	return n, nil
}
