package restbody

import (
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// MaxMessageSize bounds an encoded message: gossipsub's default maximum RPC
// size (1 MiB) less room for the RPC framing.
const MaxMessageSize = 1<<20 - 1024

// Publish is the body of a publish, a WakuMessage in the field names of
// nwaku's REST API. Payload and meta are decoded by Message rather than by
// encoding/json so that an error names the field.
type Publish struct {
	Payload      *string `json:"payload"`
	ContentTopic string  `json:"contentTopic"`
	Version      uint32  `json:"version"`
	Timestamp    int64   `json:"timestamp"`
	Meta         *string `json:"meta"`
	Ephemeral    bool    `json:"ephemeral"`
}

// Message validates the body and returns the message it describes: a
// base64 payload (possibly empty), a meta of at most 64 bytes, a content
// topic /{application}/{version}/{name}/{encoding}, a timestamp of 0 (now)
// or more, and an encoding of at most MaxMessageSize bytes.
func (p Publish) Message() (protected.Message, error) {
	m := protected.Message{ContentTopic: p.ContentTopic, Version: p.Version, Timestamp: p.Timestamp, Ephemeral: p.Ephemeral}
	if p.Payload == nil {
		return m, BadRequest("payload is missing: want the message payload in standard base64 (\"\" for none)")
	}
	var err error
	if m.Payload, err = base64.StdEncoding.DecodeString(*p.Payload); err != nil {
		return m, BadRequest("payload: want standard base64: %v", err)
	}
	if p.Meta != nil {
		if m.Meta, err = base64.StdEncoding.DecodeString(*p.Meta); err != nil {
			return m, BadRequest("meta: want standard base64: %v", err)
		}
		if len(m.Meta) > protected.MaxMetaLength {
			return m, BadRequest("meta: %d bytes, at most %d (14/WAKU2-MESSAGE)", len(m.Meta), protected.MaxMetaLength)
		}
	}
	if m.ContentTopic == "" {
		return m, BadRequest("contentTopic is missing: want /{application}/{version}/{name}/{encoding}")
	}
	if _, err := shardmesh.ParseContentTopic(m.ContentTopic); err != nil {
		return m, BadRequest("contentTopic: %v", err)
	}
	if p.Timestamp < 0 {
		return m, BadRequest("timestamp %d: want Unix nanoseconds, or 0/absent for now", p.Timestamp)
	}
	if size := len(m.Marshal()); size > MaxMessageSize {
		return m, &Error{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("message of %d bytes, at most %d", size, MaxMessageSize)}
	}
	return m, nil
}
