package metadata

import (
	"math"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wakupm/wakupm/shardmesh"
)

// Protobuf field numbers of WakuMetadataRequest and WakuMetadataResponse,
// which share one layout (66/WAKU2-METADATA; nwaku waku/waku_metadata/rpc.nim;
// go-waku waku/v2/protocol/metadata/pb).
const (
	fieldClusterID        protowire.Number = 1 // optional uint32
	fieldShardsDeprecated protowire.Number = 2 // repeated uint32, unpacked
	fieldShards           protowire.Number = 3 // repeated uint32, packed
)

// Metadata is one metadata message. Requests and responses have the same
// layout: the requester sends its own metadata and the responder answers with
// its own.
type Metadata struct {
	// Cluster is the sender's cluster id; meaningful only when HasCluster.
	// The wire type is uint32 although clusters are 16-bit: a value above
	// 65535 is kept as is so that it compares unequal to every real cluster.
	Cluster uint32
	// HasCluster reports whether field 1 was present. The spec says a node
	// MUST send it; 64/WAKU2-NETWORK disconnects peers that do not.
	HasCluster bool
	// Shards are the relay shards the sender is subscribed to. Non-relay
	// nodes send none (66/WAKU2-METADATA, "Providing Shard Information").
	Shards shardmesh.ShardSet
	// OutOfRangeShards counts received shard indexes above
	// shardmesh.MaxShardIndex, which cannot be shards and are left out of
	// Shards. Always zero on messages we build.
	OutOfRangeShards int
}

// New returns the metadata of a node on cluster with the given shards.
func New(cluster uint16, shards shardmesh.ShardSet) Metadata {
	return Metadata{Cluster: uint32(cluster), HasCluster: true, Shards: shards}
}

// ClusterID returns the cluster as a 16-bit id and whether it is one: false
// when the cluster is absent or above 65535.
func (m Metadata) ClusterID() (uint16, bool) {
	if !m.HasCluster || m.Cluster > math.MaxUint16 {
		return 0, false
	}
	return uint16(m.Cluster), true
}

// Marshal returns the protobuf encoding of m, writing the shards both in the
// deprecated unpacked field 2 and in the packed field 3 like nwaku and
// go-waku, so that readers of either field understand it. Fields come in
// number order, as protobuf encoders write them.
func (m Metadata) Marshal() []byte {
	return m.AppendMarshal(make([]byte, 0, m.size(true)))
}

// AppendMarshal appends the encoding of m (as Marshal) to b.
func (m Metadata) AppendMarshal(b []byte) []byte {
	return m.appendFields(b, true)
}

// appendFields encodes m; withDeprecated controls field 2, which the server
// drops when the message would not otherwise fit in MaxWriteSize.
func (m Metadata) appendFields(b []byte, withDeprecated bool) []byte {
	if m.HasCluster {
		b = protowire.AppendTag(b, fieldClusterID, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(m.Cluster))
	}
	if m.Shards.Empty() {
		return b
	}
	if withDeprecated {
		for s := range m.Shards.All() {
			b = protowire.AppendTag(b, fieldShardsDeprecated, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(s))
		}
	}
	b = protowire.AppendTag(b, fieldShards, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(packedLen(m.Shards)))
	for s := range m.Shards.All() {
		b = protowire.AppendVarint(b, uint64(s))
	}
	return b
}

// size returns the encoded length of m.
func (m Metadata) size(withDeprecated bool) int {
	n := 0
	if m.HasCluster {
		n += protowire.SizeTag(fieldClusterID) + protowire.SizeVarint(uint64(m.Cluster))
	}
	if m.Shards.Empty() {
		return n
	}
	p := packedLen(m.Shards)
	if withDeprecated {
		n += m.Shards.Len()*protowire.SizeTag(fieldShardsDeprecated) + p
	}
	return n + protowire.SizeTag(fieldShards) + protowire.SizeBytes(p)
}

// packedLen is the length of the packed varint run of s.
func packedLen(s shardmesh.ShardSet) int {
	n := 0
	for i := range s.All() {
		n += protowire.SizeVarint(uint64(i))
	}
	return n
}

// Unmarshal decodes a metadata message. It follows protobuf rules so that it
// reads what any conforming encoder writes: the last cluster_id wins; each
// shard field may come packed or unpacked and in several pieces; a field with
// an unexpected wire type and unknown fields are skipped; a uint32 read from a
// longer varint is truncated to 32 bits. The shards of field 3 are used when
// field 3 is present at all (even empty), otherwise those of field 2, as nwaku
// does. Malformed input returns a *DecodeError; Unmarshal never panics.
func Unmarshal(b []byte) (Metadata, error) {
	var (
		m                        Metadata
		packed, deprecated       shardmesh.ShardSet
		packedOut, deprOut       int
		sawPacked, sawDeprecated bool
	)
	for off := 0; off < len(b); {
		num, typ, n := protowire.ConsumeTag(b[off:])
		if n < 0 {
			return Metadata{}, decodeError(off, 0, protowire.ParseError(n))
		}
		start := off
		off += n
		switch {
		case num == fieldClusterID && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b[off:])
			if n < 0 {
				return Metadata{}, decodeError(start, num, protowire.ParseError(n))
			}
			off += n
			m.Cluster, m.HasCluster = uint32(v), true
		case (num == fieldShards || num == fieldShardsDeprecated) &&
			(typ == protowire.VarintType || typ == protowire.BytesType):
			set, out := &packed, &packedOut
			if num == fieldShards {
				sawPacked = true
			} else {
				set, out, sawDeprecated = &deprecated, &deprOut, true
			}
			n, err := consumeShards(b[off:], typ, set, out)
			if err != nil {
				return Metadata{}, decodeError(start, num, err)
			}
			off += n
		default:
			n := protowire.ConsumeFieldValue(num, typ, b[off:])
			if n < 0 {
				return Metadata{}, decodeError(start, num, protowire.ParseError(n))
			}
			off += n
		}
	}
	switch {
	case sawPacked:
		m.Shards, m.OutOfRangeShards = packed, packedOut
	case sawDeprecated:
		m.Shards, m.OutOfRangeShards = deprecated, deprOut
	}
	return m, nil
}

// consumeShards reads one occurrence of a repeated uint32 field, either a
// single varint or a packed run, into set, and returns the bytes consumed.
func consumeShards(b []byte, typ protowire.Type, set *shardmesh.ShardSet, outOfRange *int) (int, error) {
	if typ == protowire.VarintType {
		v, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return 0, protowire.ParseError(n)
		}
		addShard(set, outOfRange, v)
		return n, nil
	}
	run, n := protowire.ConsumeBytes(b)
	if n < 0 {
		return 0, protowire.ParseError(n)
	}
	for len(run) > 0 {
		v, k := protowire.ConsumeVarint(run)
		if k < 0 {
			return 0, protowire.ParseError(k)
		}
		addShard(set, outOfRange, v)
		run = run[k:]
	}
	return n, nil
}

func addShard(set *shardmesh.ShardSet, outOfRange *int, v uint64) {
	v = uint64(uint32(v)) // uint32 field semantics: truncate
	if v > shardmesh.MaxShardIndex {
		*outOfRange++
		return
	}
	set.Add(uint16(v))
}
