package metrics

import "github.com/wakupm/wakupm/shardmesh"

// GossipBytes is one row of the gossipsub accounting: bytes of one message
// type, in one direction, on one shard (or on none).
type GossipBytes struct {
	Direction Direction
	Type      MessageType
	// Shard is meaningful only when HasShard is set. Bytes without a shard
	// are overhead, entries on topics that are not static-shard topics, and
	// IWANT/IDONTWANT entries whose message ids were not seen before.
	Shard    shardmesh.Shard
	HasShard bool
	// Bytes is the size on the wire, protobuf tag and length included.
	Bytes uint64
	// Entries counts what the bytes carried: messages, control entries,
	// subscriptions; for TypeOverhead, RPCs.
	Entries uint64
}

// ProtocolBytes is bytes on the streams of one libp2p protocol in one
// direction, as the libp2p swarm reports them (see BandwidthReporter).
type ProtocolBytes struct {
	Protocol  string
	Direction Direction
	Bytes     uint64
}

// BandwidthSnapshot is a copy of accounted bytes, sorted, safe to keep.
type BandwidthSnapshot struct {
	// Gossip is sorted by direction, type, then shard (rows without a shard
	// first).
	Gossip []GossipBytes
	// Protocols is sorted by protocol, then direction.
	Protocols []ProtocolBytes
}

// GossipTotal returns all gossipsub bytes in direction d.
func (s BandwidthSnapshot) GossipTotal(d Direction) uint64 {
	var sum uint64
	for _, r := range s.Gossip {
		if r.Direction == d {
			sum += r.Bytes
		}
	}
	return sum
}

// GossipByType returns gossipsub bytes in direction d by message type.
func (s BandwidthSnapshot) GossipByType(d Direction) [NumMessageTypes]uint64 {
	var out [NumMessageTypes]uint64
	for _, r := range s.Gossip {
		if r.Direction == d && int(r.Type) < NumMessageTypes {
			out[r.Type] += r.Bytes
		}
	}
	return out
}

// GossipByShard returns gossipsub bytes in direction d by shard, all
// message types together; bytes without a shard are left out (see
// GossipUnattributed).
func (s BandwidthSnapshot) GossipByShard(d Direction) map[shardmesh.Shard]uint64 {
	out := make(map[shardmesh.Shard]uint64)
	for _, r := range s.Gossip {
		if r.Direction == d && r.HasShard {
			out[r.Shard] += r.Bytes
		}
	}
	return out
}

// GossipUnattributed returns gossipsub bytes in direction d that belong to
// no shard.
func (s BandwidthSnapshot) GossipUnattributed(d Direction) uint64 {
	var sum uint64
	for _, r := range s.Gossip {
		if r.Direction == d && !r.HasShard {
			sum += r.Bytes
		}
	}
	return sum
}

// Merge returns the sum of s and other, sorted; neither is modified. It is
// how per-node accounts add up to a network total.
func (s BandwidthSnapshot) Merge(other BandwidthSnapshot) BandwidthSnapshot {
	gossip := make(map[gossipKey]counter, len(s.Gossip)+len(other.Gossip))
	for _, rows := range [][]GossipBytes{s.Gossip, other.Gossip} {
		for _, r := range rows {
			k := gossipKey{dir: r.Direction, typ: r.Type, shard: r.Shard, hasShard: r.HasShard}
			c := gossip[k]
			c.bytes += r.Bytes
			c.entries += r.Entries
			gossip[k] = c
		}
	}
	protocols := make(map[protocolKey]uint64, len(s.Protocols)+len(other.Protocols))
	for _, rows := range [][]ProtocolBytes{s.Protocols, other.Protocols} {
		for _, r := range rows {
			protocols[protocolKey{protocol: r.Protocol, dir: r.Direction}] += r.Bytes
		}
	}
	return snapshotOf(gossip, protocols)
}
