package shardmesh

import (
	"encoding/binary"
	"iter"
	"math/bits"
	"strconv"
)

const shardSetWords = ShardsPerCluster / 64

// BitVectorLen is the size in bytes of a ShardSet written as a bit vector,
// one bit per shard index (the field of the "rsv" ENR entry).
const BitVectorLen = ShardsPerCluster / 8

// ShardSet is a set of shard indexes 0..MaxShardIndex of one cluster, stored
// as a 1024-bit field (128 bytes). It is a value type: copy it freely, compare
// it with ==. The zero value is the empty set. No operation allocates.
//
// The set does not carry its cluster; whoever stores it (a peer record, our
// subscriptions) stores the cluster next to it.
type ShardSet struct {
	w [shardSetWords]uint64
}

// ShardSetOf returns the set of the given indexes, or an *IndexRangeError for
// the first index above MaxShardIndex.
func ShardSetOf(indexes ...uint16) (ShardSet, error) {
	var s ShardSet
	for _, i := range indexes {
		if i > MaxShardIndex {
			return ShardSet{}, &IndexRangeError{Index: uint64(i)}
		}
		s.Add(i)
	}
	return s, nil
}

// ShardSetFromBitVector returns the set whose index i is bit i%8 (least
// significant first) of byte i/8 of v: the SSZ Bitvector order that nwaku
// and go-waku use for "rsv". Every bit pattern is a valid set.
func ShardSetFromBitVector(v *[BitVectorLen]byte) ShardSet {
	// Eight bytes of the vector form one little-endian word of the set.
	var s ShardSet
	for w := range s.w {
		s.w[w] = binary.LittleEndian.Uint64(v[8*w:])
	}
	return s
}

// BitVector returns s in the order ShardSetFromBitVector reads.
func (s ShardSet) BitVector() (v [BitVectorLen]byte) {
	for w, word := range s.w {
		binary.LittleEndian.PutUint64(v[8*w:], word)
	}
	return v
}

// Add inserts index i and reports whether the set changed. Indexes above
// MaxShardIndex cannot be members: Add leaves the set unchanged and returns
// false for them (use ShardSetOf or NewShard to get an error instead).
func (s *ShardSet) Add(i uint16) bool {
	if i > MaxShardIndex {
		return false
	}
	w, m := &s.w[i>>6], uint64(1)<<(i&63)
	if *w&m != 0 {
		return false
	}
	*w |= m
	return true
}

// Remove deletes index i and reports whether it was a member.
func (s *ShardSet) Remove(i uint16) bool {
	if i > MaxShardIndex {
		return false
	}
	w, m := &s.w[i>>6], uint64(1)<<(i&63)
	if *w&m == 0 {
		return false
	}
	*w &^= m
	return true
}

// Contains reports whether index i is a member.
func (s ShardSet) Contains(i uint16) bool {
	return i <= MaxShardIndex && s.w[i>>6]&(uint64(1)<<(i&63)) != 0
}

// Len returns the number of members.
func (s ShardSet) Len() int {
	n := 0
	for _, w := range s.w {
		n += bits.OnesCount64(w)
	}
	return n
}

// Empty reports whether the set has no members.
func (s ShardSet) Empty() bool { return s == ShardSet{} }

// Intersect returns the members in both s and o.
func (s ShardSet) Intersect(o ShardSet) ShardSet {
	for i := range s.w {
		s.w[i] &= o.w[i]
	}
	return s
}

// Union returns the members in s or o.
func (s ShardSet) Union(o ShardSet) ShardSet {
	for i := range s.w {
		s.w[i] |= o.w[i]
	}
	return s
}

// Difference returns the members of s that are not in o.
func (s ShardSet) Difference(o ShardSet) ShardSet {
	for i := range s.w {
		s.w[i] &^= o.w[i]
	}
	return s
}

// Intersects reports whether s and o share a member, without building the
// intersection.
func (s ShardSet) Intersects(o ShardSet) bool {
	for i := range s.w {
		if s.w[i]&o.w[i] != 0 {
			return true
		}
	}
	return false
}

// IntersectionLen returns the number of members in both s and o.
func (s ShardSet) IntersectionLen(o ShardSet) int {
	n := 0
	for i := range s.w {
		n += bits.OnesCount64(s.w[i] & o.w[i])
	}
	return n
}

// Next returns the smallest member >= from, and false when there is none.
// It is the allocation-free way to iterate:
//
//	for i, ok := s.Next(0); ok; i, ok = s.Next(i + 1) { ... }
func (s ShardSet) Next(from uint16) (uint16, bool) {
	if from > MaxShardIndex {
		return 0, false
	}
	wi := int(from >> 6)
	w := s.w[wi] >> (from & 63) << (from & 63)
	for {
		if w != 0 {
			return uint16(wi<<6 + bits.TrailingZeros64(w)), true
		}
		wi++
		if wi == shardSetWords {
			return 0, false
		}
		w = s.w[wi]
	}
}

// All yields the members in ascending order.
func (s ShardSet) All() iter.Seq[uint16] {
	return func(yield func(uint16) bool) {
		for i, ok := s.Next(0); ok; i, ok = s.Next(i + 1) {
			if !yield(i) {
				return
			}
		}
	}
}

// AppendTo appends the members in ascending order to dst and returns it.
func (s ShardSet) AppendTo(dst []uint16) []uint16 {
	// Word by word, clearing the lowest set bit each step: one
	// TrailingZeros per member instead of one Next call.
	for wi, w := range s.w {
		for w != 0 {
			dst = append(dst, uint16(wi<<6+bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
	return dst
}

// Indexes returns the members in ascending order in a new slice.
func (s ShardSet) Indexes() []uint16 { return s.AppendTo(make([]uint16, 0, s.Len())) }

// String formats the set as "{1,2,7}".
func (s ShardSet) String() string {
	b := []byte{'{'}
	for i, ok := s.Next(0); ok; i, ok = s.Next(i + 1) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(i), 10)
	}
	return string(append(b, '}'))
}
