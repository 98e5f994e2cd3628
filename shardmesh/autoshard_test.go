package shardmesh

import (
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAutoShardPublishedVectors(t *testing.T) {
	tests := []struct {
		source    string
		topic     string
		numShards uint16
		want      uint16
	}{
		// RELAY-SHARDING "Automatic Sharding" example: myapp + 1, 8 shards -> 0.
		{"spec", "/myapp/1/mytopic/cbor", 8, 0},
		{"spec", "/0/myapp/1/mytopic/cbor", 8, 0},
		// nwaku tests/waku_core/topics/test_sharding.nim "Generate Gen0 Shard"
		// (waku-org/nwaku 7d1c6aba), GenerationZeroShardsCount = 8.
		{"nwaku", "/toychat/2/huilong/proto", 8, 3},
		{"nwaku", "/0/toychat/2/huilong/proto", 8, 3},
		{"nwaku", "/toychat2/2/huilong/proto", 8, 6},
		{"nwaku", "/0/toychat2/2/huilong/proto", 8, 6},
		{"nwaku", "/toychat/2/huilong/proto2", 8, 3},
		{"nwaku", "/0/toychat/2/huilong/proto2", 8, 3},
		{"nwaku", "/0/toychat/4/huilong/proto2", 8, 7},
		// go-waku waku/v2/protocol/topic_test.go TestContentTopicAndSharding
		// (waku-org/go-waku 84a4b1be).
		{"go-waku", "/toychat/2/huilong/proto", 8, 3},
		// js-waku packages/utils/src/common/sharding/topics.spec.ts
		// contentTopicToShardIndex (waku-org/js-waku 84a6ea69).
		{"js-waku", "/toychat/2/huilong/proto", 8, 3},
		{"js-waku", "/myapp/1/latest/proto", 8, 0},
		{"js-waku", "/waku/2/content/test.js", 8, 1},
		{"js-waku", "/0/toychat/2/huilong/proto", 8, 3},
		{"js-waku", "/statusim/1/community/cbor", 8, 4},
		{"js-waku", "/0/statusim/1/community/cbor", 8, 4},
		{"js-waku", "/app/22/sometopic/someencoding", 8, 2},
		{"js-waku", "/app/27/sometopic/someencoding", 8, 5},
		{"js-waku", "/app/20/sometopic/someencoding", 8, 7},
		{"js-waku", "/app/29/sometopic/someencoding", 8, 6},
		{"js-waku", "/app/20/sometopic/someencoding", 16, 15},
		{"js-waku", "/app/20/sometopic/someencoding", 2, 1},
		{"js-waku", "/app/20/sometopic/someencoding", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.source+tt.topic, func(t *testing.T) {
			for _, cluster := range []uint16{ClusterTWN, ClusterStatus, 0} {
				got, err := AutoShard(tt.topic, cluster, tt.numShards)
				require.NoError(t, err)
				require.Equal(t, Shard{Cluster: cluster, Index: tt.want}, got)
			}
		})
	}
}

func TestAutoShardSameAppVersionSameShard(t *testing.T) {
	// js-waku topics.spec.ts "topics with same application and version share the same shard".
	pairs := [][2]string{
		{"/toychat/2/huilong/proto", "/toychat/2/othertopic/otherencoding"},
		{"/myapp/1/latest/proto", "/myapp/1/new/proto"},
		{"/waku/2/content/test.js", "/waku/2/users/proto"},
	}
	for _, p := range pairs {
		a, err := AutoShard(p[0], 1, 8)
		require.NoError(t, err)
		b, err := AutoShard(p[1], 1, 8)
		require.NoError(t, err)
		require.Equal(t, a, b)
	}
}

func TestAutoShardSpecDigest(t *testing.T) {
	// RELAY-SHARDING: SHA2-256 of 0x6d7961707031 ("myapp1") is 0x8e54...4928.
	sum := sha256.Sum256([]byte("myapp1"))
	require.Equal(t, "8e541178adbd8126068c47be6a221d77d64837221893a8e4e53139fb802d4928", hex.EncodeToString(sum[:]))
	require.Equal(t, uint64(0xe53139fb802d4928), autoshardHash("myapp", "1"))

	// The spec prose ("the hash modulo N") and the implementations (last 64
	// bits modulo N) agree when N divides 2^64 and differ otherwise: for
	// /toychat/2 with N=3 the full digest gives 0, the implementations 1.
	d := sha256.Sum256([]byte("toychat2"))
	full := new(big.Int).SetBytes(d[:])
	for _, n := range []uint16{1, 2, 4, 8, 16, 1024} {
		got, err := AutoShard("/toychat/2/x/y", 1, n)
		require.NoError(t, err)
		require.Equal(t, new(big.Int).Mod(full, big.NewInt(int64(n))).Uint64(), uint64(got.Index), "n=%d", n)
	}
	got, err := AutoShard("/toychat/2/x/y", 1, 3)
	require.NoError(t, err)
	require.Equal(t, uint64(0), new(big.Int).Mod(full, big.NewInt(3)).Uint64())
	require.Equal(t, uint16(1), got.Index)
}

func TestAutoShardErrors(t *testing.T) {
	tests := []struct {
		source string
		topic  string
		want   ContentTopicReason
	}{
		// nwaku test_sharding.nim "Generate Gen0 Shard with topic.generation==other".
		{"nwaku", "/1/toychat/2/huilong/proto", ContentUnsupportedGeneration},
		// nwaku "Generate Gen0 Shard invalid topic".
		{"nwaku", "invalid", ContentNoLeadingSlash},
		// go-waku topic_test.go: ErrInvalidGeneration for both.
		{"go-waku", "/abc/toychat/2/huilong/proto", ContentGenerationNotDecimal},
		{"go-waku", "/1/toychat/2/huilong/proto", ContentUnsupportedGeneration},
		// js-waku topics.spec.ts "throws on content topic with generation field greater than 0".
		{"js-waku", "/2/myapp/1/mytopic/cbor", ContentUnsupportedGeneration},
		{"js-waku", "/1000/myapp/1/mytopic/cbor", ContentUnsupportedGeneration},
		{"js-waku", "/1/statusim/1/community/cbor", ContentUnsupportedGeneration},
		// js-waku "throws an error for improperly formatted content topics".
		{"js-waku", "/invalid/format", ContentSegmentCount},
	}
	for _, tt := range tests {
		t.Run(tt.source+tt.topic, func(t *testing.T) {
			_, err := AutoShard(tt.topic, 1, 8)
			var e *ContentTopicError
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.want, e.Reason, e.Error())
			require.Equal(t, tt.topic, e.Topic)
		})
	}

	for _, n := range []uint16{0, 1025, 65535} {
		_, err := AutoShard("/myapp/1/mytopic/cbor", 1, n)
		var e *ShardCountError
		require.ErrorAs(t, err, &e, "n=%d", n)
		require.Equal(t, n, e.NumShards)
	}
	got, err := AutoShard("/myapp/1/mytopic/cbor", 1, 1024)
	require.NoError(t, err)
	require.LessOrEqual(t, got.Index, uint16(MaxShardIndex))
}

func TestAutoShardLongFieldsAndDistribution(t *testing.T) {
	// Fields longer than the stack buffer hash the same way.
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'a' + byte(i%26)
	}
	app := string(long)
	sum := sha256.Sum256([]byte(app + "7"))
	want := new(big.Int).SetBytes(sum[24:]).Uint64() % 8
	got, err := AutoShard("/"+app+"/7/n/e", 1, 8)
	require.NoError(t, err)
	require.Equal(t, uint16(want), got.Index)

	// Every shard of 8 is reached by some app name (go-waku
	// TestShardChoiceSimulation checks balance; here: coverage).
	var seen ShardSet
	for i := 0; seen.Len() < 8 && i < 1000; i++ {
		s, err := AutoShard("/app"+string(rune('a'+i%26))+string(rune('a'+i/26))+"/1/n/e", 1, 8)
		require.NoError(t, err)
		seen.Add(s.Index)
	}
	require.Equal(t, 8, seen.Len())
}
