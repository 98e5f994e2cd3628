package shardmesh

import (
	"strings"
)

// topicPrefix starts every static-sharding pubsub topic
// (RELAY-SHARDING: /waku/2/rs/<cluster>/<shard>).
const topicPrefix = "/waku/2/rs/"

// ParsePubsubTopic parses a static-sharding pubsub topic
// "/waku/2/rs/<cluster>/<index>". Both numbers are plain decimal: no sign, no
// leading zero (except "0" itself), cluster <= 65535, index <= MaxShardIndex,
// and nothing may follow the index. Any other input, including the retired
// named-sharding topics such as "/waku/2/default-waku/proto", returns a
// *TopicError whose Reason says what is wrong. It never panics.
func ParsePubsubTopic(topic string) (Shard, error) {
	rest, ok := strings.CutPrefix(topic, topicPrefix)
	if !ok {
		if strings.HasPrefix(topic, "/waku/2/") && topic+"/" != topicPrefix {
			return Shard{}, &TopicError{Topic: topic, Reason: ReasonNamedSharding}
		}
		if topic+"/" == topicPrefix {
			return Shard{}, &TopicError{Topic: topic, Reason: ReasonMissingCluster}
		}
		return Shard{}, &TopicError{Topic: topic, Reason: ReasonNotStaticShard}
	}
	clusterText, indexText, found := strings.Cut(rest, "/")
	if !found {
		if clusterText == "" {
			return Shard{}, &TopicError{Topic: topic, Reason: ReasonMissingCluster}
		}
		return Shard{}, &TopicError{Topic: topic, Reason: ReasonMissingIndex}
	}
	cluster, reason := parseDecimal(clusterText, 0xFFFF, ReasonMissingCluster, ReasonClusterOverflow)
	if reason != ReasonNone {
		return Shard{}, &TopicError{Topic: topic, Reason: reason}
	}
	if strings.IndexByte(indexText, '/') >= 0 {
		return Shard{}, &TopicError{Topic: topic, Reason: ReasonTrailingSegments}
	}
	index, reason := parseDecimal(indexText, MaxShardIndex, ReasonMissingIndex, ReasonIndexOverflow)
	if reason != ReasonNone {
		return Shard{}, &TopicError{Topic: topic, Reason: reason}
	}
	return Shard{Cluster: uint16(cluster), Index: uint16(index)}, nil
}

// parseDecimal parses a canonical unsigned decimal no larger than limit.
func parseDecimal(s string, limit uint32, empty, overflow TopicReason) (uint32, TopicReason) {
	if s == "" {
		return 0, empty
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, ReasonLeadingZero
	}
	var v uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, ReasonNotDecimal
		}
		v = v*10 + uint32(c-'0')
		if v > limit {
			// Keep scanning so that "12x" reports the bad digit, not overflow.
			for j := i + 1; j < len(s); j++ {
				if s[j] < '0' || s[j] > '9' {
					return 0, ReasonNotDecimal
				}
			}
			return 0, overflow
		}
	}
	return v, ReasonNone
}
