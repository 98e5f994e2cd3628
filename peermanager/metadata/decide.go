package metadata

import (
	"context"
	"errors"
	"fmt"

	"github.com/wakupm/wakupm/shardmesh"
)

// Action is what to do with a peer after a metadata exchange.
type Action uint8

// Actions returned by Policy.Decide.
const (
	// Keep the connection.
	Keep Action = iota + 1
	// Disconnect the peer.
	Disconnect
	// NoVerdict: we abandoned the exchange ourselves (our context was
	// cancelled, e.g. on shutdown); the result says nothing about the peer.
	NoVerdict
)

func (a Action) String() string {
	switch a {
	case Keep:
		return "keep"
	case Disconnect:
		return "disconnect"
	case NoVerdict:
		return "no verdict"
	}
	return fmt.Sprintf("Action(%d)", uint8(a))
}

// Reason explains a Decision.
type Reason uint8

// Reasons of a Decision.
const (
	// ReasonSameCluster: same cluster and, when we listed shards, at least
	// one shard in common.
	ReasonSameCluster Reason = iota + 1
	// ReasonNoSharedShard: same cluster, no shard in common. The spec makes
	// disconnecting on shards NOT RECOMMENDED (66/WAKU2-METADATA, "Using
	// Shard Information"; nwaku stopped in #3519): the peer is kept and the
	// peer manager may prune it later as serving none of our shards.
	ReasonNoSharedShard
	// ReasonClusterMismatch: the peer is on another cluster. The spec allows
	// disconnecting (MAY) and 64/WAKU2-NETWORK requires it on cluster 1;
	// we always do, as nwaku and go-waku do.
	ReasonClusterMismatch
	// ReasonClusterMissing: the answer has no cluster id although the spec
	// says a node MUST send one.
	ReasonClusterMissing
	// ReasonUnsupported: the peer does not speak the metadata protocol.
	ReasonUnsupported
	// ReasonRequestFailed: the exchange failed (timeout, reset, malformed or
	// oversized answer).
	ReasonRequestFailed
	// ReasonCancelled: our own context ended the exchange.
	ReasonCancelled
)

func (r Reason) String() string {
	switch r {
	case ReasonSameCluster:
		return "same cluster"
	case ReasonNoSharedShard:
		return "same cluster, no shared shard"
	case ReasonClusterMismatch:
		return "cluster mismatch"
	case ReasonClusterMissing:
		return "cluster id missing"
	case ReasonUnsupported:
		return "metadata protocol not supported"
	case ReasonRequestFailed:
		return "metadata request failed"
	case ReasonCancelled:
		return "request cancelled locally"
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Decision is the verdict on one exchange.
type Decision struct {
	Action Action
	Reason Reason
}

// Policy decides what to do with the result of a metadata exchange. It is a
// pure value: no I/O, no clock.
type Policy struct {
	// Cluster is our cluster.
	Cluster uint16
	// Shards are our relay shards; when empty, shards are not compared and a
	// same-cluster peer always gets ReasonSameCluster.
	Shards shardmesh.ShardSet
	// Strict applies 64/WAKU2-NETWORK: disconnect when the exchange fails
	// (including a peer without the protocol) or the cluster id is missing.
	// Without it such peers are kept: 66/WAKU2-METADATA gives no rule for
	// them, and the peer manager can still prune a peer it knows nothing
	// about.
	Strict bool
}

// DefaultPolicy returns the policy for a node on cluster: strict on The Waku
// Network (cluster 1), where 64/WAKU2-NETWORK requires it, lenient elsewhere.
func DefaultPolicy(cluster uint16, shards shardmesh.ShardSet) Policy {
	return Policy{Cluster: cluster, Shards: shards, Strict: cluster == shardmesh.ClusterTWN}
}

// Decide returns the action for a peer whose metadata request returned
// (m, err).
func (p Policy) Decide(m Metadata, err error) Decision {
	if err != nil {
		switch {
		case errors.Is(err, context.Canceled):
			return Decision{Action: NoVerdict, Reason: ReasonCancelled}
		case errors.Is(err, ErrUnsupported):
			return p.strictly(ReasonUnsupported)
		default:
			return p.strictly(ReasonRequestFailed)
		}
	}
	if !m.HasCluster {
		return p.strictly(ReasonClusterMissing)
	}
	if c, ok := m.ClusterID(); !ok || c != p.Cluster {
		return Decision{Action: Disconnect, Reason: ReasonClusterMismatch}
	}
	if !p.Shards.Empty() && !p.Shards.Intersects(m.Shards) {
		return Decision{Action: Keep, Reason: ReasonNoSharedShard}
	}
	return Decision{Action: Keep, Reason: ReasonSameCluster}
}

func (p Policy) strictly(r Reason) Decision {
	if p.Strict {
		return Decision{Action: Disconnect, Reason: r}
	}
	return Decision{Action: Keep, Reason: r}
}
