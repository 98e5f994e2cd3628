package vectors

import (
	"encoding/json"

	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/wakupm/wakupm/peermanager/discovery"
	"github.com/wakupm/wakupm/shardmesh"
)

// KeepValue is the value of discovery-filter.
type KeepValue struct {
	Keep bool `json:"keep"`
}

type filterInput struct {
	Text         *string  `json:"text"`
	Cluster      *uint16  `json:"cluster"`
	Shards       []uint16 `json:"shards"`
	Capabilities uint8    `json:"capabilities"`
}

// checkDiscoveryFilter decides whether a discovered record (from discv5 or
// a peer-exchange response) is kept as a candidate for a relay node on
// cluster wanting shards: the record must verify, carry a non-zero waku2
// with the wanted capabilities, and share a wanted shard of the cluster.
func checkDiscoveryFilter(input json.RawMessage) (any, string, error) {
	var in filterInput
	if err := decodeInput(KindDiscoveryFilter, input, &in); err != nil {
		return nil, "", err
	}
	if in.Text == nil || in.Cluster == nil {
		return nil, "", &InputError{Kind: KindDiscoveryFilter, Reason: "text and cluster are required"}
	}
	want, err := shardmesh.ShardSetOf(in.Shards...)
	if err != nil {
		return nil, "", &InputError{Kind: KindDiscoveryFilter, Reason: err.Error()}
	}
	r, class := parseRecord(*in.Text)
	if class != "" {
		return KeepValue{Keep: false}, "", nil
	}
	n, err := enode.New(enode.ValidSchemes, r)
	if err != nil {
		return KeepValue{Keep: false}, "", nil
	}
	req := discovery.Request{Cluster: *in.Cluster, Shards: want, Capabilities: shardmesh.Capabilities(in.Capabilities), N: 1}
	return KeepValue{Keep: req.MatchNode(n)}, "", nil
}
