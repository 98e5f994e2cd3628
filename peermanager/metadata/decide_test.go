package metadata

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/wakupm/wakupm/shardmesh"
)

func TestDecide(t *testing.T) {
	ours := shards(t, 1, 2)
	failed := &RequestError{Stage: StageRead, Err: context.DeadlineExceeded}
	unsupported := &RequestError{Stage: StageOpen, Err: fmt.Errorf("%w: x", ErrUnsupported)}
	cancelled := &RequestError{Stage: StageRead, Err: fmt.Errorf("%w (stream reset)", context.Canceled)}
	tests := []struct {
		name   string
		strict bool
		m      Metadata
		err    error
		want   Decision
	}{
		{"same cluster, shared shard", false, New(5, shards(t, 2, 9)), nil, Decision{Keep, ReasonSameCluster}},
		{"same cluster, no shard at all (light node)", false, New(5, shardmesh.ShardSet{}), nil, Decision{Keep, ReasonNoSharedShard}},
		{"same cluster, other shards", true, New(5, shards(t, 9)), nil, Decision{Keep, ReasonNoSharedShard}},
		{"other cluster", false, New(6, ours), nil, Decision{Disconnect, ReasonClusterMismatch}},
		{"cluster above 65535 never matches", false, Metadata{Cluster: 5 + 1<<16, HasCluster: true, Shards: ours}, nil, Decision{Disconnect, ReasonClusterMismatch}},
		{"missing cluster, lenient", false, Metadata{Shards: ours}, nil, Decision{Keep, ReasonClusterMissing}},
		{"missing cluster, strict", true, Metadata{Shards: ours}, nil, Decision{Disconnect, ReasonClusterMissing}},
		{"failed request, lenient", false, Metadata{}, failed, Decision{Keep, ReasonRequestFailed}},
		{"failed request, strict", true, Metadata{}, failed, Decision{Disconnect, ReasonRequestFailed}},
		{"unsupported, strict", true, Metadata{}, unsupported, Decision{Disconnect, ReasonUnsupported}},
		{"cancelled by us, strict", true, Metadata{}, cancelled, Decision{NoVerdict, ReasonCancelled}},
		{"any other error", true, Metadata{}, errors.New("boom"), Decision{Disconnect, ReasonRequestFailed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Policy{Cluster: 5, Shards: ours, Strict: tt.strict}
			if got := p.Decide(tt.m, tt.err); got != tt.want {
				t.Fatalf("Decide = %v/%v, want %v/%v", got.Action, got.Reason, tt.want.Action, tt.want.Reason)
			}
		})
	}
}

func TestDecideWithoutOurShardsIgnoresShards(t *testing.T) {
	p := Policy{Cluster: 5}
	if d := p.Decide(New(5, shards(t, 9)), nil); d != (Decision{Keep, ReasonSameCluster}) {
		t.Fatalf("got %+v", d)
	}
}

func TestDefaultPolicyIsStrictOnTWNOnly(t *testing.T) {
	if !DefaultPolicy(shardmesh.ClusterTWN, shardmesh.ShardSet{}).Strict {
		t.Error("cluster 1 must be strict (64/WAKU2-NETWORK)")
	}
	for _, c := range []uint16{0, 2, 16, 1000} {
		if DefaultPolicy(c, shardmesh.ShardSet{}).Strict {
			t.Errorf("cluster %d strict by default", c)
		}
	}
}
