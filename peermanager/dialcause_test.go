package peermanager

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"

	"github.com/wakupm/wakupm/peermanager/relay"
)

func TestDialCauseClassifiesLibp2pErrors(t *testing.T) {
	dialErr := &swarm.DialError{Peer: "p", DialErrors: []swarm.TransportError{
		{Cause: fmt.Errorf("dial tcp: %w", syscall.ECONNREFUSED)},
	}}
	for _, c := range []struct {
		err  error
		want relay.DialCause
	}{
		{nil, relay.CauseUnknown},
		{fmt.Errorf("wrapped: %w", swarm.ErrDialBackoff), relay.CauseBackoff},
		{swarm.ErrNoAddresses, relay.CauseNoAddress},
		{swarm.ErrGaterDisallowedConnection, relay.CauseLimit},
		{network.ErrResourceLimitExceeded, relay.CauseLimit},
		{dialErr, relay.CauseRefused},
		{context.DeadlineExceeded, relay.CauseTimeout},
		{errors.New("failed to negotiate security protocol: EOF"), relay.CauseSecurity},
		{errors.New("i/o timeout"), relay.CauseTimeout},
		{errors.New("something else"), relay.CauseUnknown},
	} {
		if got := DialCause(c.err); got != c.want {
			t.Errorf("DialCause(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
