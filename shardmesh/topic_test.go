package shardmesh

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParsePubsubTopicValid(t *testing.T) {
	tests := []struct {
		in   string
		want Shard
	}{
		// RELAY-SHARDING: "/waku/2/rs/0/2" is the 2nd shard of the global cluster.
		{"/waku/2/rs/0/2", Shard{0, 2}},
		// go-waku topic_test.go TestShardPubsubTopic.
		{"/waku/2/rs/16/42", Shard{16, 42}},
		// js-waku topics.spec.ts pubsubTopicToSingleShardInfo.
		{"/waku/2/rs/2/2", Shard{2, 2}},
		// nwaku test_sharding.nim pubsubTopic04 / pubsubTopic13.
		{"/waku/2/rs/0/4", Shard{0, 4}},
		{"/waku/2/rs/1/3", Shard{1, 3}},
		{"/waku/2/rs/0/0", Shard{0, 0}},
		{"/waku/2/rs/65535/1023", Shard{65535, 1023}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePubsubTopic(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.in, got.PubsubTopic())
			require.Equal(t, tt.in, got.String())
		})
	}
}

func TestParsePubsubTopicInvalid(t *testing.T) {
	tests := []struct {
		in   string
		want TopicReason
	}{
		{"", ReasonNotStaticShard},
		{"waku/2/rs/1/2", ReasonNotStaticShard},
		// js-waku topics.spec.ts "various invalid formats".
		{"/waku/1/rs/1/2", ReasonNotStaticShard},
		{"/waku/2/r/1/2", ReasonNamedSharding},
		{"/incorrect/format", ReasonNotStaticShard},
		{"/waku/2/rs", ReasonMissingCluster},
		{"/waku/2/rs/1/2/extra", ReasonTrailingSegments},
		// go-waku topic_test.go TestShardPubsubTopic.
		{"/waku/1/2/3", ReasonNotStaticShard},
		{"/waku/1/rs/16/42", ReasonNotStaticShard},
		{"/waku/2/rs//02", ReasonMissingCluster},
		{"/waku/2/rs/1/", ReasonMissingIndex},
		{"/waku/2/rs/xx/77", ReasonNotDecimal},
		// Named sharding is retired (RELAY-SHARDING, 2025-07-24).
		{"/waku/2/default-waku/proto", ReasonNamedSharding},
		{"/waku/2/thisisatest", ReasonNamedSharding},
		{"/waku/2/", ReasonNamedSharding},
		{"/waku/2/rsx/1/2", ReasonNamedSharding},
		// Bare prefixes (go-waku waku/v2/protocol/pubsub_topic.go:78 panics on the bare prefix).
		{"/waku/2/rs/", ReasonMissingCluster},
		{"/waku/2/rs/1", ReasonMissingIndex},
		{"/waku/2/rs/1/", ReasonMissingIndex},
		{"/waku/2/rs//", ReasonMissingCluster},
		// Empty segments and trailing segments.
		{"/waku/2/rs/1//", ReasonTrailingSegments},
		{"/waku/2/rs/1/2/", ReasonTrailingSegments},
		{"/waku/2/rs/1/2/3", ReasonTrailingSegments},
		// Overflow.
		{"/waku/2/rs/65536/0", ReasonClusterOverflow},
		{"/waku/2/rs/99999999999999999999/0", ReasonClusterOverflow},
		{"/waku/2/rs/1/1024", ReasonIndexOverflow},
		{"/waku/2/rs/1/65535", ReasonIndexOverflow},
		{"/waku/2/rs/1/18446744073709551617", ReasonIndexOverflow},
		// Leading zeros.
		{"/waku/2/rs/01/2", ReasonLeadingZero},
		{"/waku/2/rs/1/02", ReasonLeadingZero},
		{"/waku/2/rs/00/0", ReasonLeadingZero},
		// Signs, spaces, other digits.
		{"/waku/2/rs/+1/2", ReasonNotDecimal},
		{"/waku/2/rs/-1/2", ReasonNotDecimal},
		{"/waku/2/rs/1/-0", ReasonNotDecimal},
		{"/waku/2/rs/1/+2", ReasonNotDecimal},
		{"/waku/2/rs/ 1/2", ReasonNotDecimal},
		{"/waku/2/rs/1/2 ", ReasonNotDecimal},
		{"/waku/2/rs/1/0x1", ReasonLeadingZero},
		{"/waku/2/rs/1/1e3", ReasonNotDecimal},
		{"/waku/2/rs/1/٣", ReasonNotDecimal},
		// A bad digit after an overflow is reported as a bad digit.
		{"/waku/2/rs/1/99999x", ReasonNotDecimal},
		{"/waku/2/rs/999999x/1", ReasonNotDecimal},
		{"/WAKU/2/RS/1/2", ReasonNotStaticShard},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePubsubTopic(tt.in)
			var e *TopicError
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.want, e.Reason, e.Error())
			require.Equal(t, tt.in, e.Topic)
			require.Equal(t, Shard{}, got)
		})
	}
}

func TestPubsubTopicRoundTripAll(t *testing.T) {
	for _, c := range []uint16{0, 1, 16, 9999, 65535} {
		for i := uint16(0); i <= MaxShardIndex; i++ {
			s := Shard{Cluster: c, Index: i}
			want := "/waku/2/rs/" + strconv.Itoa(int(c)) + "/" + strconv.Itoa(int(i))
			require.Equal(t, want, s.PubsubTopic())
			got, err := ParsePubsubTopic(want)
			require.NoError(t, err)
			require.Equal(t, s, got)
		}
	}
}

func TestNewShard(t *testing.T) {
	s, err := NewShard(16, 1023)
	require.NoError(t, err)
	require.True(t, s.Valid())
	_, err = NewShard(16, 1024)
	var e *IndexRangeError
	require.ErrorAs(t, err, &e)
	require.Equal(t, uint64(1024), e.Index)
	require.Equal(t, "shardmesh: shard index 1024 out of range 0..1023", err.Error())
	require.False(t, Shard{Index: 1024}.Valid())
	require.True(t, Shard{}.Valid())
}

func TestTopicReasonText(t *testing.T) {
	for r := ReasonNotStaticShard; r <= ReasonTrailingSegments; r++ {
		require.NotContains(t, r.String(), "TopicReason(")
	}
	require.Equal(t, "TopicReason(200)", TopicReason(200).String())
	err := &TopicError{Topic: "/x", Reason: ReasonNotStaticShard}
	require.Contains(t, err.Error(), `"/x"`)
}
