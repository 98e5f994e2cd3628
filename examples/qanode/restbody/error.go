package restbody

import (
	"fmt"
	"net/http"
)

// Error is a refusal with the HTTP status it answers. Every refusal of a
// body or shard reference here is an *Error with a 4xx status (ShardIndex,
// which the node's flags use too, returns a plain error); the node also
// uses it for refusals of its own (the REST guard's).
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// BadRequest is a 400 Error with a formatted message.
func BadRequest(format string, a ...any) error {
	return &Error{Status: http.StatusBadRequest, Msg: fmt.Sprintf(format, a...)}
}
