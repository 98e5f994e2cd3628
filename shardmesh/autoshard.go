package shardmesh

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// ShardCountError reports an autosharding shard count that is 0 or above
// ShardsPerCluster.
type ShardCountError struct {
	NumShards uint16
}

func (e *ShardCountError) Error() string {
	return fmt.Sprintf("shardmesh: autosharding needs 1..%d shards, got %d", ShardsPerCluster, e.NumShards)
}

// AutoShard returns the shard of cluster that generation-0 autosharding
// assigns to contentTopic when the network has numShards shards numbered
// from 0 (TWNShardCount on The Waku Network; RELAY-SHARDING says 1 where no
// network is defined).
//
// The rule is the one nwaku (waku_core/topics/sharding.nim getGenZeroShard),
// go-waku (protocol/shard.go GetShardFromContentTopic) and js-waku
// (packages/utils/src/common/sharding/topics.ts contentTopicToShardIndex)
// implement: SHA-256 of the application bytes followed by the version
// bytes, digest bytes 24..31 read as a big-endian uint64, modulo numShards.
// The RELAY-SHARDING prose says "the hash modulo the number of shards",
// which agrees only when numShards divides 2^64; the implementations win.
//
// It returns a *ContentTopicError for a malformed topic or a generation
// other than 0, and a *ShardCountError when numShards is 0 or above 1024.
func AutoShard(contentTopic string, cluster, numShards uint16) (Shard, error) {
	c, err := ParseContentTopic(contentTopic)
	if err != nil {
		return Shard{}, err
	}
	return c.AutoShard(cluster, numShards)
}

// AutoShard is AutoShard for an already parsed topic.
func (c ContentTopic) AutoShard(cluster, numShards uint16) (Shard, error) {
	if numShards == 0 || numShards > ShardsPerCluster {
		return Shard{}, &ShardCountError{NumShards: numShards}
	}
	if c.Generation != 0 {
		return Shard{}, &ContentTopicError{Topic: c.String(), Reason: ContentUnsupportedGeneration}
	}
	return Shard{Cluster: cluster, Index: uint16(autoshardHash(c.Application, c.Version) % uint64(numShards))}, nil
}

// autoshardHash is the big-endian uint64 of the last 8 bytes of
// SHA-256(application ‖ version).
func autoshardHash(application, version string) uint64 {
	// A stack buffer keeps the common case free of allocations.
	var buf [128]byte
	b := append(append(buf[:0], application...), version...)
	sum := sha256.Sum256(b)
	return binary.BigEndian.Uint64(sum[24:])
}
