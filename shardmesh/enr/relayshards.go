package enr

import (
	"encoding/binary"

	"github.com/wakupm/wakupm/shardmesh"
)

// Byte layouts of the ENR relay-shard fields (RELAY-SHARDING "Discovery";
// nwaku waku/waku_enr/sharding.nim; go-waku waku/v2/protocol/shard.go).
const (
	// rsHeaderLen: u16 BE cluster ‖ u8 count.
	rsHeaderLen = 3
	// rsMaxCount: the count is one byte.
	rsMaxCount = 255
	// rsvFieldLen: 1024 shards, one bit each.
	rsvFieldLen = shardmesh.BitVectorLen
	// rsvLen: u16 BE cluster ‖ 128-byte bit field.
	rsvLen = 2 + rsvFieldLen
	// RSVThreshold is the shard count from which writers use rsv instead of
	// rs: "index list SHOULD be used for nodes that participate in fewer than
	// 64 shards" (RELAY-SHARDING; nwaku ShardingIndicesListMaxLength = 64;
	// go-waku protocol/enr/shards.go WithWakuRelaySharding).
	RSVThreshold = 64
)

// RelayShards is what a node advertises in its ENR: one cluster (an ENR has
// room for only one, RELAY-SHARDING "Discovery") and the shard indexes it
// relays on. Decoders return Indices sorted ascending and without
// duplicates; encoders accept them in any order and with duplicates.
type RelayShards struct {
	Cluster uint16
	Indices []uint16
}

// Set returns the indexes as a shardmesh.ShardSet. Indexes above
// shardmesh.MaxShardIndex are not representable and are left out; decoded
// values never contain any.
func (rs RelayShards) Set() shardmesh.ShardSet {
	var s shardmesh.ShardSet
	for _, i := range rs.Indices {
		s.Add(i)
	}
	return s
}

// Shards returns one shardmesh.Shard per index, in the order of Indices.
func (rs RelayShards) Shards() []shardmesh.Shard {
	out := make([]shardmesh.Shard, len(rs.Indices))
	for k, i := range rs.Indices {
		out[k] = shardmesh.Shard{Cluster: rs.Cluster, Index: i}
	}
	return out
}

// Contains reports whether rs advertises shard s.
func (rs RelayShards) Contains(s shardmesh.Shard) bool {
	if s.Cluster != rs.Cluster {
		return false
	}
	for _, i := range rs.Indices {
		if i == s.Index {
			return true
		}
	}
	return false
}

// RelayShardsFromSet returns the RelayShards of cluster with the members of
// s, in ascending order.
func RelayShardsFromSet(cluster uint16, s shardmesh.ShardSet) RelayShards {
	return RelayShards{Cluster: cluster, Indices: s.Indexes()}
}

// normalized checks every index and returns the set of them.
func (rs RelayShards) normalized(key string) (shardmesh.ShardSet, error) {
	var s shardmesh.ShardSet
	for _, i := range rs.Indices {
		if i > shardmesh.MaxShardIndex {
			return shardmesh.ShardSet{}, errorf(key, ProblemOutOfRange, "shard index %d", i)
		}
		s.Add(i)
	}
	return s, nil
}

// EncodeRS returns the index-list value of the "rs" key:
// u16 BE cluster ‖ u8 n ‖ n × u16 BE index. Indices are written sorted and
// without duplicates (go-waku also deduplicates, protocol/shard.go
// NewRelayShards). It fails with an *Error for an index above
// shardmesh.MaxShardIndex or more than 255 distinct indexes. It does not
// enforce the 64-shard writer rule; SetRelayShards does.
func (rs RelayShards) EncodeRS() ([]byte, error) {
	s, err := rs.normalized(KeyRS)
	if err != nil {
		return nil, err
	}
	n := s.Len()
	if n > rsMaxCount {
		return nil, errorf(KeyRS, ProblemOversized, "%d shards do not fit the one-byte count", n)
	}
	b := make([]byte, rsHeaderLen, rsHeaderLen+2*n)
	binary.BigEndian.PutUint16(b, rs.Cluster)
	b[2] = byte(n)
	for i, ok := s.Next(0); ok; i, ok = s.Next(i + 1) {
		b = binary.BigEndian.AppendUint16(b, i)
	}
	return b, nil
}

// EncodeRSV returns the bit-vector value of the "rsv" key: u16 BE cluster ‖
// 128-byte field, shard s in field byte s/8 under mask 1<<(s%8).
//
// Bit order: this is the order nwaku (waku_enr/sharding.nim toBitVector:
// vec[s div 8].setBit(s mod 8)) and go-waku (protocol/shard.go BitVector)
// write and read, i.e. the SSZ Bitvector order. The RELAY-SHARDING prose
// ("right-most bit represents shard 0") and its example disagree with each
// other and with both implementations; js-waku
// (packages/utils/src/common/relay_shard_codec.ts) uses 1<<(7-s%8) and is
// therefore incompatible with nwaku and go-waku for every rsv value.
func (rs RelayShards) EncodeRSV() ([]byte, error) {
	s, err := rs.normalized(KeyRSV)
	if err != nil {
		return nil, err
	}
	b := make([]byte, rsvLen)
	binary.BigEndian.PutUint16(b, rs.Cluster)
	for i, ok := s.Next(0); ok; i, ok = s.Next(i + 1) {
		b[2+i/8] |= 1 << (i % 8)
	}
	return b, nil
}

// DecodeRS decodes the value of an "rs" key. It returns an *Error
// (Key "rs") when the value is shorter than 3 bytes (ProblemTruncated), when
// its length is not 3+2n for the count byte n (ProblemCountMismatch) or when
// an index is above shardmesh.MaxShardIndex (ProblemOutOfRange, as go-waku
// FromShardList/NewRelayShards does; nwaku accepts such indexes).
//
// Duplicates are accepted and removed, as go-waku does (nwaku keeps them);
// the result is sorted. A count of zero is accepted and gives no indexes, as
// nwaku does (go-waku rejects it); SetRelayShards never writes one.
func DecodeRS(b []byte) (RelayShards, error) {
	cluster, s, err := DecodeRSSet(b)
	if err != nil {
		return RelayShards{}, err
	}
	return RelayShardsFromSet(cluster, s), nil
}

// DecodeRSSet is DecodeRS into a shardmesh.ShardSet, without allocating.
func DecodeRSSet(b []byte) (cluster uint16, s shardmesh.ShardSet, err error) {
	if len(b) < rsHeaderLen {
		return 0, shardmesh.ShardSet{}, errorf(KeyRS, ProblemTruncated, "%d bytes, want at least %d", len(b), rsHeaderLen)
	}
	n := int(b[2])
	if want := rsHeaderLen + 2*n; len(b) != want {
		return 0, shardmesh.ShardSet{}, errorf(KeyRS, ProblemCountMismatch, "count byte says %d shards (%d bytes), value has %d bytes", n, want, len(b))
	}
	for k := rsHeaderLen; k < len(b); k += 2 {
		i := binary.BigEndian.Uint16(b[k:])
		if i > shardmesh.MaxShardIndex {
			return 0, shardmesh.ShardSet{}, errorf(KeyRS, ProblemOutOfRange, "shard index %d", i)
		}
		s.Add(i)
	}
	return binary.BigEndian.Uint16(b), s, nil
}

// DecodeRSV decodes the value of an "rsv" key (bit order as in EncodeRSV).
// The value must be exactly 130 bytes (go-waku FromBitVector, nwaku
// fromBitVector); otherwise it returns an *Error (Key "rsv") with
// ProblemTruncated or ProblemOversized. Every bit pattern is a valid set.
func DecodeRSV(b []byte) (RelayShards, error) {
	cluster, s, err := DecodeRSVSet(b)
	if err != nil {
		return RelayShards{}, err
	}
	return RelayShardsFromSet(cluster, s), nil
}

// DecodeRSVSet is DecodeRSV into a shardmesh.ShardSet, without allocating.
func DecodeRSVSet(b []byte) (cluster uint16, s shardmesh.ShardSet, err error) {
	switch {
	case len(b) < rsvLen:
		return 0, shardmesh.ShardSet{}, errorf(KeyRSV, ProblemTruncated, "%d bytes, want %d", len(b), rsvLen)
	case len(b) > rsvLen:
		return 0, shardmesh.ShardSet{}, errorf(KeyRSV, ProblemOversized, "%d bytes, want %d", len(b), rsvLen)
	}
	// Field byte j holds shards 8j..8j+7, lowest shard in the lowest bit.
	return binary.BigEndian.Uint16(b), shardmesh.ShardSetFromBitVector((*[shardmesh.BitVectorLen]byte)(b[2:])), nil
}
