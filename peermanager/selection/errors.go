package selection

import (
	"errors"
	"fmt"
	"time"

	"github.com/wakupm/wakupm/shardmesh"
)

// ErrInvalidRequest is wrapped by the errors of malformed requests: an
// unparsable topic, a shard of another cluster, a count out of range.
var ErrInvalidRequest = errors.New("selection: invalid service-peer request")

// ErrNoEligiblePeer is wrapped by every *Error: nothing could be
// returned. The Error's Reason says why.
var ErrNoEligiblePeer = errors.New("selection: no eligible service peer")

// Reasons a selection returned nothing, most fundamental first. Each is a
// *Error's Reason and matches errors.Is.
var (
	// ErrUntrackedProtocol: the book does not index the protocol; track it
	// with WithTrackedProtocols.
	ErrUntrackedProtocol = errors.New("protocol not tracked by the peer book")
	// ErrNoPeerSupportsProtocol: no known peer of our cluster supports the
	// protocol, on any shard; discover service peers.
	ErrNoPeerSupportsProtocol = errors.New("no known peer supports the protocol")
	// ErrNoPeerOnShard: peers support the protocol, none on the shard (and
	// no usable peer of unknown shards); discover peers for the shard.
	ErrNoPeerOnShard = errors.New("no peer supporting the protocol is on the shard")
	// ErrNoConnectedPeer: candidates exist but the policy takes connected
	// peers only and none is connected; connect to some.
	ErrNoConnectedPeer = errors.New("no candidate is connected")
	// ErrAllExcluded: every candidate was excluded by the request.
	ErrAllExcluded = errors.New("every candidate is excluded by the request")
	// ErrAllInBackoff: every candidate is benched after a replacement or
	// in dial backoff; retry at Error.RetryAt or discover more peers.
	ErrAllInBackoff = errors.New("every candidate is benched or in dial backoff")
)

// Error explains why a selection returned no peer. It wraps
// ErrNoEligiblePeer and its Reason.
type Error struct {
	Protocol string
	Shard    shardmesh.Shard
	// Reason is one of the Err* reasons above.
	Reason error
	// Candidates counts the peers indexed for the protocol on the shard
	// (plus those of unknown shards the mode allows).
	Candidates int
	// Excluded, Benched, InBackoff and NotConnected count the candidates
	// left out for each cause (a peer counts once, first cause in that
	// order).
	Excluded, Benched, InBackoff, NotConnected int
	// RetryAt is the earliest time a candidate leaves its bench or its
	// dial backoff; zero when none is benched or in backoff.
	RetryAt time.Time
}

// Error says what was asked and why nothing is eligible.
func (e *Error) Error() string {
	return fmt.Sprintf("selection: no eligible %s peer on shard %d/%d: %v (candidates %d: excluded %d, benched %d, in backoff %d, not connected %d)",
		e.Protocol, e.Shard.Cluster, e.Shard.Index, e.Reason, e.Candidates, e.Excluded, e.Benched, e.InBackoff, e.NotConnected)
}

// Unwrap lets errors.Is match both ErrNoEligiblePeer and the Reason.
func (e *Error) Unwrap() []error { return []error{ErrNoEligiblePeer, e.Reason} }
