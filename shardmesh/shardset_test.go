package shardmesh

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// model is a map-based ShardSet used to check the bit-field implementation.
type model map[uint16]bool

func (m model) sorted() []uint16 {
	out := []uint16{}
	for i := range m {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

func randomSet(t *testing.T, rng *rand.Rand) (ShardSet, model) {
	var s ShardSet
	m := model{}
	// Mix sparse and dense sets, and hit word boundaries often.
	n := rng.IntN(40)
	if rng.IntN(4) == 0 {
		n = rng.IntN(ShardsPerCluster)
	}
	for range n {
		var i uint16
		if rng.IntN(3) == 0 {
			i = uint16(rng.IntN(16)*64 + []int{0, 63}[rng.IntN(2)])
		} else {
			i = uint16(rng.IntN(ShardsPerCluster))
		}
		require.Equal(t, !m[i], s.Add(i))
		m[i] = true
	}
	return s, m
}

func TestShardSetAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for range 500 {
		a, ma := randomSet(t, rng)
		b, mb := randomSet(t, rng)
		require.Equal(t, len(ma), a.Len())
		require.Equal(t, len(ma) == 0, a.Empty())
		require.Equal(t, ma.sorted(), a.Indexes())
		require.Equal(t, ma.sorted(), append([]uint16{}, slices.Collect(a.All())...))
		for i := uint16(0); i <= MaxShardIndex+1; i++ {
			require.Equal(t, ma[i], a.Contains(i))
		}

		inter, union, diff := model{}, model{}, model{}
		for i := range ma {
			union[i] = true
			if mb[i] {
				inter[i] = true
			} else {
				diff[i] = true
			}
		}
		for i := range mb {
			union[i] = true
		}
		require.Equal(t, inter.sorted(), a.Intersect(b).Indexes())
		require.Equal(t, union.sorted(), a.Union(b).Indexes())
		require.Equal(t, diff.sorted(), a.Difference(b).Indexes())
		require.Equal(t, len(inter), a.IntersectionLen(b))
		require.Equal(t, len(inter) > 0, a.Intersects(b))
		// The operations are pure: a and b are unchanged.
		require.Equal(t, ma.sorted(), a.Indexes())
		require.Equal(t, mb.sorted(), b.Indexes())

		// Next from every position agrees with the model.
		sorted := ma.sorted()
		for _, from := range []uint16{0, 1, 63, 64, 65, 511, 1023, 1024, 65535, uint16(rng.IntN(1024))} {
			k, _ := slices.BinarySearch(sorted, from)
			got, ok := a.Next(from)
			if k == len(sorted) {
				require.False(t, ok, "from %d", from)
			} else {
				require.True(t, ok)
				require.Equal(t, sorted[k], got, "from %d", from)
			}
		}

		// Remove everything.
		for _, i := range sorted {
			require.True(t, a.Remove(i))
			require.False(t, a.Remove(i))
		}
		require.True(t, a.Empty())
	}
}

func TestShardSetBounds(t *testing.T) {
	var s ShardSet
	require.False(t, s.Add(1024))
	require.False(t, s.Add(65535))
	require.False(t, s.Remove(1024))
	require.False(t, s.Contains(1024))
	require.True(t, s.Empty())
	require.True(t, s.Add(1023))
	require.True(t, s.Add(0))
	require.False(t, s.Add(0))
	require.Equal(t, "{0,1023}", s.String())
	require.Equal(t, "{}", ShardSet{}.String())

	_, err := ShardSetOf(1, 2, 1024)
	var e *IndexRangeError
	require.ErrorAs(t, err, &e)
	require.Equal(t, uint64(1024), e.Index)
	s, err = ShardSetOf(5, 3, 5)
	require.NoError(t, err)
	require.Equal(t, []uint16{3, 5}, s.Indexes())
	require.Equal(t, []uint16{9, 3, 5}, s.AppendTo([]uint16{9}))

	// Early break from All.
	var first []uint16
	for i := range s.All() {
		first = append(first, i)
		break
	}
	require.Equal(t, []uint16{3}, first)

	// Value semantics: copies are independent and comparable.
	c := s
	c.Add(100)
	require.NotEqual(t, s, c)
	c.Remove(100)
	require.Equal(t, s, c)
}

func TestShardSetOpsDoNotAllocate(t *testing.T) {
	a, _ := ShardSetOf(1, 64, 500, 1023)
	b, _ := ShardSetOf(64, 700)
	var sink int
	allocs := testing.AllocsPerRun(100, func() {
		s := a
		s.Add(3)
		s.Remove(1)
		sink += s.Len() + s.IntersectionLen(b) + s.Intersect(b).Union(a).Difference(b).Len()
		if s.Intersects(b) && s.Contains(64) && !s.Empty() {
			sink++
		}
		for i, ok := s.Next(0); ok; i, ok = s.Next(i + 1) {
			sink += int(i)
		}
		for i := range s.All() {
			sink += int(i)
		}
	})
	require.Zero(t, allocs)
	require.NotZero(t, sink)
}
