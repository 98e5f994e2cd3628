package shardmesh

import (
	"strconv"
)

// MaxShardIndex is the highest shard index of a cluster. A cluster has 1024
// shards, 0..1023 (RELAY-SHARDING, waku-org/specs standards/core/relay-sharding.md).
const MaxShardIndex = 1023

// ShardsPerCluster is the number of shard indexes a cluster can have.
const ShardsPerCluster = MaxShardIndex + 1

// Well-known clusters (waku-org/specs informational/relay-static-shard-alloc.md).
const (
	// ClusterGlobal is cluster 0, the global cluster.
	ClusterGlobal uint16 = 0
	// ClusterTWN is The Waku Network (rfc-index 64/WAKU2-NETWORK), shards 0-7.
	ClusterTWN uint16 = 1
	// ClusterStatus is Status' main network.
	ClusterStatus uint16 = 16
)

// TWNShardCount is the number of shards of The Waku Network, used as the
// autosharding modulus on cluster 1 (rfc-index 64/WAKU2-NETWORK).
const TWNShardCount = 8

// Shard identifies one relay shard: a cluster and an index in that cluster.
// The zero value is shard 0 of cluster 0, a valid shard.
type Shard struct {
	Cluster uint16
	Index   uint16
}

// NewShard returns the shard (cluster, index) or an *IndexRangeError when
// index is above MaxShardIndex.
func NewShard(cluster, index uint16) (Shard, error) {
	if index > MaxShardIndex {
		return Shard{}, &IndexRangeError{Index: uint64(index)}
	}
	return Shard{Cluster: cluster, Index: index}, nil
}

// Valid reports whether the index is within 0..MaxShardIndex.
func (s Shard) Valid() bool { return s.Index <= MaxShardIndex }

// PubsubTopic returns the static-sharding gossipsub topic of s,
// "/waku/2/rs/<cluster>/<index>".
func (s Shard) PubsubTopic() string {
	var buf [len(topicPrefix) + 5 + 1 + 5]byte
	b := append(buf[:0], topicPrefix...)
	b = strconv.AppendUint(b, uint64(s.Cluster), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(s.Index), 10)
	return string(b)
}

// String returns the pubsub topic of s.
func (s Shard) String() string { return s.PubsubTopic() }
