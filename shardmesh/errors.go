package shardmesh

import (
	"fmt"
)

// TopicReason says why a pubsub topic was rejected.
type TopicReason uint8

// Reasons a pubsub topic is not a valid static-sharding topic.
const (
	ReasonNone TopicReason = iota
	// ReasonNotStaticShard: the topic does not start with /waku/2/rs/.
	ReasonNotStaticShard
	// ReasonNamedSharding: a /waku/2/<name> topic; named sharding is retired.
	ReasonNamedSharding
	// ReasonMissingCluster: the cluster segment is absent or empty.
	ReasonMissingCluster
	// ReasonMissingIndex: the shard segment is absent or empty.
	ReasonMissingIndex
	// ReasonNotDecimal: a segment holds something other than digits 0-9.
	ReasonNotDecimal
	// ReasonLeadingZero: a number has a leading zero ("007").
	ReasonLeadingZero
	// ReasonClusterOverflow: the cluster is above 65535.
	ReasonClusterOverflow
	// ReasonIndexOverflow: the shard index is above MaxShardIndex.
	ReasonIndexOverflow
	// ReasonTrailingSegments: something follows the shard index.
	ReasonTrailingSegments
)

var topicReasonText = [...]string{
	ReasonNone:             "no error",
	ReasonNotStaticShard:   "not a static-sharding topic (want /waku/2/rs/<cluster>/<shard>)",
	ReasonNamedSharding:    "named sharding is retired; use /waku/2/rs/<cluster>/<shard>",
	ReasonMissingCluster:   "missing cluster id",
	ReasonMissingIndex:     "missing shard index",
	ReasonNotDecimal:       "cluster and shard must be plain decimal numbers",
	ReasonLeadingZero:      "numbers must not have leading zeros",
	ReasonClusterOverflow:  "cluster id above 65535",
	ReasonIndexOverflow:    "shard index above 1023",
	ReasonTrailingSegments: "unexpected segments after the shard index",
}

func (r TopicReason) String() string {
	if int(r) < len(topicReasonText) {
		return topicReasonText[r]
	}
	return fmt.Sprintf("TopicReason(%d)", uint8(r))
}

// TopicError reports a pubsub topic that is not a valid static-sharding topic.
type TopicError struct {
	Topic  string
	Reason TopicReason
}

func (e *TopicError) Error() string {
	return fmt.Sprintf("shardmesh: invalid pubsub topic %q: %s", e.Topic, e.Reason)
}

// IndexRangeError reports a shard index above MaxShardIndex.
type IndexRangeError struct {
	Index uint64
}

func (e *IndexRangeError) Error() string {
	return fmt.Sprintf("shardmesh: shard index %d out of range 0..%d", e.Index, MaxShardIndex)
}
