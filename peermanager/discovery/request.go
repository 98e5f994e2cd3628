package discovery

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/enr"
)

// MaxCandidates bounds Request.N, and with it the buffer of a search.
const MaxCandidates = 256

// Request says what peers to look for.
type Request struct {
	// Cluster the candidates must be on.
	Cluster uint16
	// Shards wanted: a candidate must advertise at least one of them. Empty
	// means any shard of Cluster.
	Shards shardmesh.ShardSet
	// Capabilities every candidate must have (all bits). Zero asks for none
	// in particular; a discovered record must still carry a non-zero waku2.
	Capabilities shardmesh.Capabilities
	// N is the most candidates to return, 1..MaxCandidates.
	N int
}

// ErrInvalidRequest is wrapped by the error Find returns for a Request
// outside its bounds.
var ErrInvalidRequest = errors.New("discovery: invalid request")

// Validate checks the bounds of r.
func (r Request) Validate() error {
	if r.N < 1 || r.N > MaxCandidates {
		return fmt.Errorf("%w: N = %d not within 1..%d", ErrInvalidRequest, r.N, MaxCandidates)
	}
	return nil
}

// MatchNode reports whether an ENR matches r: a non-zero waku2 field with
// every required capability (WAKU2-ENR: discv5 readers MUST drop records
// whose waku2 is missing or zero), shards on r.Cluster and, when r.Shards is
// not empty, at least one of them. Records without rs/rsv do not match: a
// relay node MUST advertise its shards (64/WAKU2-NETWORK). Safe for
// concurrent use; it is the predicate go-ethereum iterators and the
// peer-exchange client take.
func (r Request) MatchNode(n *enode.Node) bool {
	caps, err := enr.CapabilitiesFromRecord(n.Record())
	if err != nil || caps == 0 || !caps.Has(r.Capabilities) {
		return false
	}
	rs, err := enr.RelayShardsFromRecord(n.Record())
	if err != nil || rs.Cluster != r.Cluster {
		return false
	}
	return r.Shards.Empty() || r.Shards.Intersects(rs.Set())
}

// MatchCandidate reports whether a candidate matches r. A candidate whose
// shards are unknown (a static peer given by address only) matches any
// request: its metadata will tell, once connected. Known fields must match
// as in MatchNode.
func (r Request) MatchCandidate(c Candidate) bool {
	if c.Capabilities != 0 && !c.Capabilities.Has(r.Capabilities) {
		return false
	}
	if !c.ShardsKnown {
		return true
	}
	return c.Cluster == r.Cluster && (r.Shards.Empty() || r.Shards.Intersects(c.Shards))
}
