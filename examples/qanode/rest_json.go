package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// maxBodyBytes bounds request bodies; a message must also fit gossipsub's
// default maximum RPC size (1 MiB) with room for the RPC framing.
const (
	maxBodyBytes   = 2 << 20
	maxMessageSize = 1<<20 - 1024
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

// publishRequest is the body of a publish. Payload and meta are decoded
// here rather than by encoding/json so that an error names the field.
type publishRequest struct {
	Payload      *string `json:"payload"`
	ContentTopic string  `json:"contentTopic"`
	Version      uint32  `json:"version"`
	Timestamp    int64   `json:"timestamp"`
	Meta         *string `json:"meta"`
	Ephemeral    bool    `json:"ephemeral"`
}

// message validates the request and returns the message it describes.
func (p publishRequest) message() (protected.Message, error) {
	m := protected.Message{ContentTopic: p.ContentTopic, Version: p.Version, Timestamp: p.Timestamp, Ephemeral: p.Ephemeral}
	if p.Payload == nil {
		return m, badRequest("payload is missing: want the message payload in standard base64 (\"\" for none)")
	}
	var err error
	if m.Payload, err = base64.StdEncoding.DecodeString(*p.Payload); err != nil {
		return m, badRequest("payload: want standard base64: %v", err)
	}
	if p.Meta != nil {
		if m.Meta, err = base64.StdEncoding.DecodeString(*p.Meta); err != nil {
			return m, badRequest("meta: want standard base64: %v", err)
		}
		if len(m.Meta) > protected.MaxMetaLength {
			return m, badRequest("meta: %d bytes, at most %d (14/WAKU2-MESSAGE)", len(m.Meta), protected.MaxMetaLength)
		}
	}
	if m.ContentTopic == "" {
		return m, badRequest("contentTopic is missing: want /{application}/{version}/{name}/{encoding}")
	}
	if _, err := shardmesh.ParseContentTopic(m.ContentTopic); err != nil {
		return m, badRequest("contentTopic: %v", err)
	}
	if p.Timestamp < 0 {
		return m, badRequest("timestamp %d: want Unix nanoseconds, or 0/absent for now", p.Timestamp)
	}
	if size := len(m.Marshal()); size > maxMessageSize {
		return m, &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("message of %d bytes, at most %d", size, maxMessageSize)}
	}
	return m, nil
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

// httpError is an error with the status code it answers.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, a ...any) error {
	return &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, a...)}
}

// statusOf maps an error to its status code.
func statusOf(err error) int {
	var he *httpError
	var pe *publishError
	switch {
	case errors.As(err, &he):
		return he.status
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

// decodeBody decodes a JSON body strictly: unknown fields, trailing data
// and oversized bodies are errors that say what is wrong.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("body over %d bytes", mbe.Limit)}
		}
		if errors.Is(err, io.EOF) {
			return badRequest("empty body: want JSON")
		}
		return badRequest("invalid JSON body: %v", err)
	}
	if dec.More() {
		return badRequest("invalid JSON body: data after the first value")
	}
	return nil
}

// parseShardRef reads a shard given as an index (JSON number or decimal
// string) or as a pubsub topic of the node's cluster.
func (n *Node) parseShardRef(s string) (uint16, error) {
	if s == "" {
		return 0, badRequest("empty shard: want an index 0..%d or a pubsub topic /waku/2/rs/%d/<index>", shardmesh.MaxShardIndex, n.cfg.cluster)
	}
	if s[0] >= '0' && s[0] <= '9' {
		i, err := parseShardIndex(s)
		if err != nil {
			return 0, badRequest("%v", err)
		}
		return i, nil
	}
	shard, err := shardmesh.ParsePubsubTopic(s)
	if err != nil {
		return 0, badRequest("%v", err)
	}
	if shard.Cluster != n.cfg.cluster {
		return 0, badRequest("pubsub topic %s is on cluster %d; this node is on cluster %d", s, shard.Cluster, n.cfg.cluster)
	}
	return shard.Index, nil
}

// parseShardJSON reads one shard reference from JSON: a number or a string.
func (n *Node) parseShardJSON(raw json.RawMessage) (uint16, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return n.parseShardRef(s)
	}
	var num json.Number
	if err := json.Unmarshal(raw, &num); err == nil {
		return n.parseShardRef(num.String())
	}
	return 0, badRequest("shard %s: want a number or a pubsub topic string", string(raw))
}

// queryUint reads an optional non-negative integer query parameter.
func queryUint(r *http.Request, name string) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, badRequest("query parameter %s=%q: want a non-negative integer", name, v)
	}
	return n, nil
}
