package shardmesh

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseContentTopicValid(t *testing.T) {
	tests := []struct {
		in   string
		want ContentTopic
	}{
		// RELAY-SHARDING "Content Topics Format for Autosharding" examples.
		{"/0/myapp/1/mytopic/cbor", ContentTopic{LongForm: true, Application: "myapp", Version: "1", Name: "mytopic", Encoding: "cbor"}},
		{"/myapp/1/mytopic/cbor", ContentTopic{Application: "myapp", Version: "1", Name: "mytopic", Encoding: "cbor"}},
		// js-waku topics.spec.ts "does not throw on valid cases".
		{"/myapp/v1.1/mytopic/cbor", ContentTopic{Application: "myapp", Version: "v1.1", Name: "mytopic", Encoding: "cbor"}},
		// go-waku topic_test.go: the version is free text, "-1" included.
		{"/waku/-1/a/b", ContentTopic{Application: "waku", Version: "-1", Name: "a", Encoding: "b"}},
		// Parsing accepts any generation; AutoShard rejects non-zero ones.
		{"/1/toychat/2/huilong/proto", ContentTopic{Generation: 1, LongForm: true, Application: "toychat", Version: "2", Name: "huilong", Encoding: "proto"}},
		{"/4294967295/a/b/c/d", ContentTopic{Generation: 4294967295, LongForm: true, Application: "a", Version: "b", Name: "c", Encoding: "d"}},
		// Fields may hold spaces and non-ASCII text; the spec does not restrict them.
		{"/my app/1/ü/proto", ContentTopic{Application: "my app", Version: "1", Name: "ü", Encoding: "proto"}},
		// The retired default content topic is a valid short-form topic.
		{"/waku/2/default-content/proto", ContentTopic{Application: "waku", Version: "2", Name: "default-content", Encoding: "proto"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseContentTopic(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.in, got.String())
		})
	}
}

func TestParseContentTopicInvalid(t *testing.T) {
	tests := []struct {
		in   string
		want ContentTopicReason
	}{
		// js-waku topics.spec.ts "throws on empty content topic".
		{"", ContentNoLeadingSlash},
		{" ", ContentNoLeadingSlash},
		{"   ", ContentNoLeadingSlash},
		// js-waku "too few or too many fields".
		{"myContentTopic", ContentNoLeadingSlash},
		{"myapp1mytopiccbor/", ContentNoLeadingSlash},
		{" /myapp/1/mytopic", ContentNoLeadingSlash},
		{"/myapp/1/mytopic", ContentSegmentCount},
		{"/0/myapp/1/mytopic/cbor/extra", ContentSegmentCount},
		// go-waku topic_test.go.
		{"waku/1/a/b", ContentNoLeadingSlash},
		{"////", ContentEmptyApplication},
		{"/waku/1/a", ContentSegmentCount},
		// js-waku "non-number generation field".
		{"/a/myapp/1/mytopic/cbor", ContentGenerationNotDecimal},
		{"/ /myapp/1/mytopic/cbor", ContentGenerationNotDecimal},
		{"/_/myapp/1/mytopic/cbor", ContentGenerationNotDecimal},
		{"/$/myapp/1/mytopic/cbor", ContentGenerationNotDecimal},
		// js-waku empty field cases.
		{"/0//1/mytopic/cbor", ContentEmptyApplication},
		{"/0/myapp//mytopic/cbor", ContentEmptyVersion},
		{"/0/myapp/1//cbor", ContentEmptyName},
		{"/0/myapp/1/mytopic/", ContentEmptyEncoding},
		// Short-form empties.
		{"//1/mytopic/cbor", ContentEmptyApplication},
		{"/myapp//mytopic/cbor", ContentEmptyVersion},
		{"/myapp/1//cbor", ContentEmptyName},
		{"/myapp/1/mytopic/", ContentEmptyEncoding},
		// Generation spelling: signs, leading zeros, overflow, empty.
		{"//myapp/1/mytopic/cbor", ContentEmptyGeneration},
		{"/+0/myapp/1/mytopic/cbor", ContentGenerationNotDecimal},
		{"/-0/myapp/1/mytopic/cbor", ContentGenerationNotDecimal},
		{"/0x0/myapp/1/mytopic/cbor", ContentGenerationNotDecimal},
		{"/00/myapp/1/mytopic/cbor", ContentGenerationLeadingZero},
		{"/01/myapp/1/mytopic/cbor", ContentGenerationLeadingZero},
		{"/4294967296/myapp/1/mytopic/cbor", ContentGenerationOverflow},
		{"/99999999999999999999999/a/b/c/d", ContentGenerationOverflow},
		// Trailing slash on a long-form topic is a sixth segment.
		{"/0/myapp/1/mytopic/cbor/", ContentSegmentCount},
		// Trailing slash on a short-form topic makes "myapp" the generation.
		{"/myapp/1/mytopic/cbor/", ContentGenerationNotDecimal},
		{"/", ContentSegmentCount},
		{"/a/b/c/d/e/f/g/h", ContentSegmentCount},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseContentTopic(tt.in)
			var e *ContentTopicError
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.want, e.Reason, e.Error())
			require.Equal(t, tt.in, e.Topic)
		})
	}
}

func TestContentTopicReasonText(t *testing.T) {
	for r := ContentNoLeadingSlash; r <= ContentUnsupportedGeneration; r++ {
		require.NotContains(t, r.String(), "ContentTopicReason(", "reason %d has no text", r)
	}
	require.Equal(t, "ContentTopicReason(200)", ContentTopicReason(200).String())
	err := &ContentTopicError{Topic: "x", Reason: ContentNoLeadingSlash}
	require.Equal(t, `shardmesh: invalid content topic "x": must start with '/'`, err.Error())
}
