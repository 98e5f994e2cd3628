package metrics

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/wakupm/wakupm/shardmesh"
)

// Direction says which way accounted bytes went.
type Direction uint8

const (
	// DirectionOut counts bytes gossipsub wrote to a peer's stream
	// (RawTracer.SendRPCCompleted).
	DirectionOut Direction = iota
	// DirectionIn counts bytes of RPCs received from peers (RawTracer.RecvRPC).
	DirectionIn
	// DirectionDropped counts bytes gossipsub meant to send but dropped
	// (RawTracer.DropRPC: full queue, oversized RPC, peer without a queue).
	// They never reach the wire and are not part of DirectionOut.
	DirectionDropped
	numDirections
)

// NumDirections is the number of Direction values.
const NumDirections = int(numDirections)

// String returns "out", "in" or "dropped", the Prometheus label values.
func (d Direction) String() string {
	switch d {
	case DirectionOut:
		return "out"
	case DirectionIn:
		return "in"
	case DirectionDropped:
		return "dropped"
	}
	return fmt.Sprintf("direction(%d)", uint8(d))
}

// MessageType classifies the bytes of a gossipsub RPC by what they carry.
// Every byte of an RPC on the wire, including its length prefix, belongs to
// exactly one type, so the types of one RPC add up to its size on the wire.
type MessageType uint8

const (
	// TypeData is the bytes of full messages (RPC.publish), each with its
	// protobuf tag and length.
	TypeData MessageType = iota
	// TypeIHave is gossip: IHAVE entries (topic and message ids).
	TypeIHave
	// TypeIWant is requests for gossiped messages (message ids).
	TypeIWant
	// TypeGraft is mesh join requests.
	TypeGraft
	// TypePrune is mesh leave notices, including peer-exchange records and
	// backoff.
	TypePrune
	// TypeIDontWant is "already have it" notices for large messages
	// (gossipsub v1.2).
	TypeIDontWant
	// TypeSubscription is subscribe and unsubscribe announcements.
	TypeSubscription
	// TypeOverhead is the rest: the RPC length prefix, the control-message
	// envelope, extensions and unknown fields. It is never attributed to a
	// shard.
	TypeOverhead
	numMessageTypes
)

// NumMessageTypes is the number of MessageType values.
const NumMessageTypes = int(numMessageTypes)

var messageTypeNames = [NumMessageTypes]string{
	TypeData:         "data",
	TypeIHave:        "ihave",
	TypeIWant:        "iwant",
	TypeGraft:        "graft",
	TypePrune:        "prune",
	TypeIDontWant:    "idontwant",
	TypeSubscription: "subscription",
	TypeOverhead:     "overhead",
}

// String returns the lower-case name used as the Prometheus label value and
// in reports: data, ihave, iwant, graft, prune, idontwant, subscription,
// overhead.
func (t MessageType) String() string {
	if int(t) < NumMessageTypes {
		return messageTypeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// IsControl reports whether t is a gossipsub control message
// (IHAVE, IWANT, GRAFT, PRUNE, IDONTWANT).
func (t MessageType) IsControl() bool {
	return t >= TypeIHave && t <= TypeIDontWant
}

// MessageTypes returns every MessageType in order.
func MessageTypes() []MessageType {
	out := make([]MessageType, NumMessageTypes)
	for i := range out {
		out[i] = MessageType(i)
	}
	return out
}

// Default sizes of the bounded lookup tables of Bandwidth.
const (
	// DefaultMessageIDCacheSize is how many message ids Bandwidth remembers
	// to attribute IWANT and IDONTWANT entries (which carry ids, not topics)
	// to a shard. At 4 KiB-ish per 100 ids it bounds memory to about 1 MiB.
	DefaultMessageIDCacheSize = 8192
	// topicCacheSize bounds the table of parsed topic strings: peers choose
	// the topic strings they send, so the table must not grow with them.
	topicCacheSize = 4096
)

type gossipKey struct {
	dir      Direction
	typ      MessageType
	shard    shardmesh.Shard
	hasShard bool
}

type protocolKey struct {
	protocol string
	dir      Direction
}

type counter struct {
	bytes, entries uint64
}

type topicInfo struct {
	shard shardmesh.Shard
	ok    bool
}

// Bandwidth is the accounting core: it adds up bytes by direction, message
// type and shard for gossipsub, and by protocol for libp2p streams. It reads
// no clock, starts no goroutine and is not safe for concurrent use; the
// shells (BandwidthTracer, BandwidthReporter) serialise access. Memory is
// bounded: one counter per (direction, type, shard) seen, one per
// (protocol, direction), and two fixed-size lookup tables.
type Bandwidth struct {
	gossip    map[gossipKey]counter
	protocols map[protocolKey]uint64
	topics    map[string]topicInfo
	ids       idShardCache
}

// NewBandwidth returns an empty account. Options are validated.
func NewBandwidth(opts ...BandwidthOption) (*Bandwidth, error) {
	cfg, err := newBandwidthConfig(opts)
	if err != nil {
		return nil, err
	}
	return newBandwidth(cfg), nil
}

func newBandwidth(cfg bandwidthConfig) *Bandwidth {
	return &Bandwidth{
		gossip:    make(map[gossipKey]counter),
		protocols: make(map[protocolKey]uint64),
		topics:    make(map[string]topicInfo),
		ids:       newIDShardCache(cfg.idCacheSize),
	}
}

// AddGossip counts n bytes of type typ in direction dir, carrying entries
// entries, on the shard of the pubsub topic (no shard when topic is not a
// static-shard topic).
func (b *Bandwidth) AddGossip(dir Direction, typ MessageType, topic string, n, entries int) {
	shard, ok := b.shardOf(topic)
	b.add(gossipKey{dir: dir, typ: typ, shard: shard, hasShard: ok}, n, entries)
}

// AddGossipForIDs counts n bytes of type typ (IWANT, IDONTWANT) in
// direction dir on the shard of the first of ids that was seen before in an
// IHAVE or a message (see LearnMessageID); with none known, on no shard.
func (b *Bandwidth) AddGossipForIDs(dir Direction, typ MessageType, ids []string, n int) {
	var key = gossipKey{dir: dir, typ: typ}
	for _, id := range ids {
		if s, ok := b.ids.lookup(id); ok {
			key.shard, key.hasShard = s, true
			break
		}
	}
	b.add(key, n, 1)
}

// LearnMessageID remembers that message id belongs to topic, so that later
// IWANT and IDONTWANT entries naming it are attributed to its shard. Ids on
// topics that are not static-shard topics are not remembered. The table is
// bounded; the oldest ids are forgotten first.
func (b *Bandwidth) LearnMessageID(id, topic string) {
	if shard, ok := b.shardOf(topic); ok {
		b.ids.insert(id, shard)
	}
}

// AddProtocol counts n bytes on streams of protocol in direction dir.
func (b *Bandwidth) AddProtocol(protocol string, dir Direction, n int) {
	if n <= 0 {
		return
	}
	b.protocols[protocolKey{protocol: protocol, dir: dir}] += uint64(n)
}

// Snapshot returns a sorted copy of every counter.
func (b *Bandwidth) Snapshot() BandwidthSnapshot {
	return snapshotOf(b.gossip, b.protocols)
}

func (b *Bandwidth) add(k gossipKey, n, entries int) {
	if n <= 0 && entries <= 0 {
		return
	}
	c := b.gossip[k]
	c.bytes += uint64(max(n, 0))
	c.entries += uint64(max(entries, 0))
	b.gossip[k] = c
}

// shardOf parses topic once and remembers the answer in a bounded table.
func (b *Bandwidth) shardOf(topic string) (shardmesh.Shard, bool) {
	if topic == "" {
		return shardmesh.Shard{}, false
	}
	if info, ok := b.topics[topic]; ok {
		return info.shard, info.ok
	}
	shard, err := shardmesh.ParsePubsubTopic(topic)
	info := topicInfo{shard: shard, ok: err == nil}
	if len(b.topics) < topicCacheSize {
		b.topics[topic] = info
	}
	return info.shard, info.ok
}

func snapshotOf(gossip map[gossipKey]counter, protocols map[protocolKey]uint64) BandwidthSnapshot {
	s := BandwidthSnapshot{
		Gossip:    make([]GossipBytes, 0, len(gossip)),
		Protocols: make([]ProtocolBytes, 0, len(protocols)),
	}
	for k, c := range gossip {
		s.Gossip = append(s.Gossip, GossipBytes{
			Direction: k.dir, Type: k.typ, Shard: k.shard, HasShard: k.hasShard,
			Bytes: c.bytes, Entries: c.entries,
		})
	}
	slices.SortFunc(s.Gossip, func(a, b GossipBytes) int {
		return cmp.Or(
			cmp.Compare(a.Direction, b.Direction),
			cmp.Compare(a.Type, b.Type),
			compareBool(a.HasShard, b.HasShard),
			cmp.Compare(a.Shard.Cluster, b.Shard.Cluster),
			cmp.Compare(a.Shard.Index, b.Shard.Index),
		)
	})
	for k, n := range protocols {
		s.Protocols = append(s.Protocols, ProtocolBytes{Protocol: k.protocol, Direction: k.dir, Bytes: n})
	}
	slices.SortFunc(s.Protocols, func(a, b ProtocolBytes) int {
		return cmp.Or(cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Direction, b.Direction))
	})
	return s
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// idShardCache maps message ids to shards, remembering at most size ids
// (the oldest inserted is forgotten first).
type idShardCache struct {
	byID map[string]shardmesh.Shard
	ring []string
	next int
}

func newIDShardCache(size int) idShardCache {
	return idShardCache{byID: make(map[string]shardmesh.Shard, size), ring: make([]string, size)}
}

func (c *idShardCache) insert(id string, s shardmesh.Shard) {
	if len(c.ring) == 0 {
		return
	}
	if id == "" {
		return
	}
	if _, ok := c.byID[id]; ok {
		return
	}
	if old := c.ring[c.next]; old != "" {
		delete(c.byID, old)
	}
	c.ring[c.next] = id
	c.byID[id] = s
	c.next = (c.next + 1) % len(c.ring)
}

func (c *idShardCache) lookup(id string) (shardmesh.Shard, bool) {
	s, ok := c.byID[id]
	return s, ok
}
