package restbody

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/wakupm/wakupm/shardmesh"
)

// ShardIndex reads a decimal shard index 0..1023 (also what the node's
// -shard flags take).
func ShardIndex(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n > shardmesh.MaxShardIndex {
		return 0, fmt.Errorf("shard %q: want a decimal index 0..%d", s, shardmesh.MaxShardIndex)
	}
	return uint16(n), nil
}

// ShardRef reads a shard given as an index (JSON number or decimal string)
// or as a pubsub topic of cluster, the node's.
func ShardRef(s string, cluster uint16) (uint16, error) {
	if s == "" {
		return 0, BadRequest("empty shard: want an index 0..%d or a pubsub topic /waku/2/rs/%d/<index>", shardmesh.MaxShardIndex, cluster)
	}
	if s[0] >= '0' && s[0] <= '9' {
		i, err := ShardIndex(s)
		if err != nil {
			return 0, BadRequest("%v", err)
		}
		return i, nil
	}
	shard, err := shardmesh.ParsePubsubTopic(s)
	if err != nil {
		return 0, BadRequest("%v", err)
	}
	if shard.Cluster != cluster {
		return 0, BadRequest("pubsub topic %s is on cluster %d; this node is on cluster %d", s, shard.Cluster, cluster)
	}
	return shard.Index, nil
}

// ShardJSON reads one shard reference from JSON: a number or a string.
func ShardJSON(raw json.RawMessage, cluster uint16) (uint16, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return ShardRef(s, cluster)
	}
	var num json.Number
	if err := json.Unmarshal(raw, &num); err == nil {
		return ShardRef(num.String(), cluster)
	}
	return 0, BadRequest("shard %s: want a number or a pubsub topic string", string(raw))
}

// ShardList decodes r's body, a non-empty JSON array of shard references
// (the body of subscribe and unsubscribe), into shard indexes.
func ShardList(w http.ResponseWriter, r *http.Request, cluster uint16) ([]uint16, error) {
	var raw []json.RawMessage
	if err := Decode(w, r, &raw); err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, BadRequest("no shard: want a JSON array of shard indexes or pubsub topics, such as [32] or [\"/waku/2/rs/%d/32\"]", cluster)
	}
	shards := make([]uint16, 0, len(raw))
	for _, item := range raw {
		s, err := ShardJSON(item, cluster)
		if err != nil {
			return nil, err
		}
		shards = append(shards, s)
	}
	return shards, nil
}
