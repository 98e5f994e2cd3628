package restbody

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// MaxBodyBytes bounds request bodies; a message must also fit gossipsub's
// default maximum RPC size (1 MiB), so a larger body cannot be one.
const MaxBodyBytes = 2 << 20

// Decode decodes r's JSON body into v strictly: unknown fields, trailing
// data and bodies over MaxBodyBytes are errors that say what is wrong. w
// is the request's writer: http.MaxBytesReader closes the connection after
// an oversized body through it.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("body over %d bytes", mbe.Limit)}
		}
		if errors.Is(err, io.EOF) {
			return BadRequest("empty body: want JSON")
		}
		return BadRequest("invalid JSON body: %v", err)
	}
	if dec.More() {
		return BadRequest("invalid JSON body: data after the first value")
	}
	return nil
}
