package enr

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/shardmesh"
)

func TestDecodeRSLenientCases(t *testing.T) {
	// Duplicates: go-waku dedupes (NewRelayShards), nwaku keeps them; both
	// accept. nwaku test_waku_enr.nim "repeated but valid shard ids" expects
	// @[1, 2, 2, 3, 3, 3] to become @[1, 2, 3]. We also sort.
	got, err := DecodeRS([]byte{0, 22, 6, 0, 3, 0, 1, 0, 2, 0, 2, 0, 3, 0, 3})
	require.NoError(t, err)
	require.Equal(t, RelayShards{Cluster: 22, Indices: []uint16{1, 2, 3}}, got)

	// A zero count is accepted as "no shards" (nwaku fromIndicesList).
	got, err = DecodeRS([]byte{0xff, 0xff, 0})
	require.NoError(t, err)
	require.Equal(t, uint16(65535), got.Cluster)
	require.Empty(t, got.Indices)
}

func TestDecodeRSVErrors(t *testing.T) {
	for _, n := range []int{0, 2, 3, 129} {
		_, err := DecodeRSV(make([]byte, n))
		var e *Error
		require.ErrorAs(t, err, &e, "len %d", n)
		require.Equal(t, KeyRSV, e.Key)
		require.Equal(t, ProblemTruncated, e.Problem)
	}
	for _, n := range []int{131, 300} {
		_, err := DecodeRSV(make([]byte, n))
		var e *Error
		require.ErrorAs(t, err, &e, "len %d", n)
		require.Equal(t, ProblemOversized, e.Problem)
	}
	// Every 130-byte value is a valid set, the all-ones field is every shard.
	all := bytes.Repeat([]byte{0xff}, 130)
	got, err := DecodeRSV(all)
	require.NoError(t, err)
	require.Equal(t, uint16(0xffff), got.Cluster)
	require.Len(t, got.Indices, shardmesh.ShardsPerCluster)
}

func TestEncodeErrors(t *testing.T) {
	_, err := RelayShards{Cluster: 1, Indices: []uint16{3, 1024}}.EncodeRS()
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, ProblemOutOfRange, e.Problem)

	_, err = RelayShards{Cluster: 1, Indices: []uint16{1024}}.EncodeRSV()
	require.ErrorAs(t, err, &e)
	require.Equal(t, KeyRSV, e.Key)
	require.Equal(t, ProblemOutOfRange, e.Problem)

	many := make([]uint16, 256)
	for i := range many {
		many[i] = uint16(i)
	}
	_, err = RelayShards{Cluster: 1, Indices: many}.EncodeRS()
	require.ErrorAs(t, err, &e)
	require.Equal(t, ProblemOversized, e.Problem)
	// 255 distinct shards fit; duplicates do not count.
	_, err = RelayShards{Cluster: 1, Indices: append(many[:255], 0, 0, 0)}.EncodeRS()
	require.NoError(t, err)
}

func TestEncodeNormalizes(t *testing.T) {
	b, err := RelayShards{Cluster: 16, Indices: []uint16{45, 13, 14, 13}}.EncodeRS()
	require.NoError(t, err)
	require.Equal(t, []byte{0, 16, 3, 0, 13, 0, 14, 0, 45}, b)
}

// randomRelayShards draws a cluster and n distinct indexes (n <= 1024).
func randomRelayShards(rng *rand.Rand, n int) RelayShards {
	perm := rng.Perm(shardmesh.ShardsPerCluster)[:n]
	idx := make([]uint16, n)
	for i, p := range perm {
		idx[i] = uint16(p)
	}
	return RelayShards{Cluster: uint16(rng.UintN(1 << 16)), Indices: idx}
}

func TestRelayShardsRoundTripProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 2000 {
		n := rng.IntN(shardmesh.ShardsPerCluster + 1)
		if iter%2 == 0 {
			n = rng.IntN(rsMaxCount + 1) // half the draws in rs range
		}
		in := randomRelayShards(rng, n)
		want := slices.Sorted(slices.Values(in.Indices))
		if want == nil {
			want = []uint16{}
		}

		rsv, err := in.EncodeRSV()
		require.NoError(t, err)
		fromRSV, err := DecodeRSV(rsv)
		require.NoError(t, err)
		require.Equal(t, in.Cluster, fromRSV.Cluster)
		require.Equal(t, want, fromRSV.Indices, "rsv round trip, n=%d", n)
		require.Equal(t, in.Set(), fromRSV.Set())
		require.Equal(t, fromRSV, RelayShardsFromSet(in.Cluster, in.Set()))

		if n > rsMaxCount {
			continue
		}
		rs, err := in.EncodeRS()
		require.NoError(t, err)
		fromRS, err := DecodeRS(rs)
		require.NoError(t, err)
		require.Equal(t, fromRSV, fromRS, "rs and rsv must agree, n=%d", n)

		// The Set decoders agree with the slice decoders.
		c, s, err := DecodeRSSet(rs)
		require.NoError(t, err)
		require.Equal(t, in.Cluster, c)
		require.Equal(t, in.Set(), s)
		c, s, err = DecodeRSVSet(rsv)
		require.NoError(t, err)
		require.Equal(t, in.Cluster, c)
		require.Equal(t, in.Set(), s)
	}
}

func TestRelayShardsHelpers(t *testing.T) {
	rs := RelayShards{Cluster: 16, Indices: []uint16{32, 1}}
	require.Equal(t, []shardmesh.Shard{{Cluster: 16, Index: 32}, {Cluster: 16, Index: 1}}, rs.Shards())
	require.True(t, rs.Contains(shardmesh.Shard{Cluster: 16, Index: 1}))
	require.False(t, rs.Contains(shardmesh.Shard{Cluster: 17, Index: 1}))
	require.False(t, rs.Contains(shardmesh.Shard{Cluster: 16, Index: 2}))
	// Out-of-range indexes cannot be in a shardmesh.ShardSet.
	require.Equal(t, 1, RelayShards{Indices: []uint16{5, 2000}}.Set().Len())
}

func TestErrorText(t *testing.T) {
	err := error(&Error{Key: "rs", Problem: ProblemCountMismatch, Detail: "x"})
	require.Equal(t, `enr: key "rs": length byte does not match value size: x`, err.Error())
	require.Equal(t, `enr: key "waku2": field absent`, (&Error{Key: "waku2", Problem: ProblemAbsent}).Error())
	require.True(t, errors.Is(&Error{Problem: ProblemAbsent}, ErrFieldAbsent))
	require.Equal(t, "Problem(99)", Problem(99).String())
}
