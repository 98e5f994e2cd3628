package peermanager

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"

	"github.com/wakupm/wakupm/peermanager/relay"
)

// DialCause classifies the error of a failed libp2p dial for reports (the
// relay core counts failures by cause; the telemetry reporter maps them to
// Status's DialFailure error types). Typed errors first; the swarm's
// DialError wraps one error per address and errors.Is walks them all. The
// security case has no exported error in go-libp2p v0.51, so it falls back
// to the text the upgrader writes ("failed to negotiate security protocol").
func DialCause(err error) relay.DialCause {
	switch {
	case err == nil:
		return relay.CauseUnknown
	case errors.Is(err, swarm.ErrDialBackoff):
		return relay.CauseBackoff
	case errors.Is(err, swarm.ErrNoAddresses), errors.Is(err, swarm.ErrNoGoodAddresses):
		return relay.CauseNoAddress
	case errors.Is(err, swarm.ErrGaterDisallowedConnection), errors.Is(err, network.ErrResourceLimitExceeded):
		return relay.CauseLimit
	case errors.Is(err, syscall.ECONNREFUSED):
		return relay.CauseRefused
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return relay.CauseTimeout
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "security protocol"), strings.Contains(msg, "handshake"):
		return relay.CauseSecurity
	case strings.Contains(msg, "timeout"), strings.Contains(msg, "deadline"):
		return relay.CauseTimeout
	case strings.Contains(msg, "connection refused"):
		return relay.CauseRefused
	}
	return relay.CauseUnknown
}
