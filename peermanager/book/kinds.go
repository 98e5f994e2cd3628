package book

// Origin says how we first learnt of a peer.
type Origin uint8

// Origins of a peer record. Static is sticky: a peer configured as static
// stays static whatever else reports it.
const (
	OriginUnknown Origin = iota
	OriginStatic
	OriginDiscv5
	OriginPeerExchange
	OriginInbound
	numOrigins
)

// NumOrigins is the number of Origin values.
const NumOrigins = int(numOrigins)

var originText = [...]string{"unknown", "static", "discv5", "peer-exchange", "inbound"}

func (o Origin) String() string {
	if int(o) < len(originText) {
		return originText[o]
	}
	return "origin?"
}

// Direction is who opened the connection.
type Direction uint8

// Directions of a connection.
const (
	DirectionUnknown Direction = iota
	Inbound
	Outbound
)

var directionText = [...]string{"unknown", "inbound", "outbound"}

func (d Direction) String() string {
	if int(d) < len(directionText) {
		return directionText[d]
	}
	return "direction?"
}

// Connectedness is the book's view of a peer's connection.
type Connectedness uint8

// Connection states. Dialing is set by the relay core when it emits a dial,
// so that the same peer is not chosen twice.
const (
	NotConnected Connectedness = iota
	Dialing
	Connected
)

var connectednessText = [...]string{"not-connected", "dialing", "connected"}

func (c Connectedness) String() string {
	if int(c) < len(connectednessText) {
		return connectednessText[c]
	}
	return "connectedness?"
}

// ShardSource says where a peer's advertised shards come from.
type ShardSource uint8

// Sources of shard information, weakest first. Metadata (exchanged on the
// live connection) overrides the ENR (possibly stale, relayed by others);
// the topics the peer announced in gossipsub itself override both, as only
// those can mesh (a peer may advertise shards it never joins).
const (
	ShardsUnknown ShardSource = iota
	ShardsFromENR
	ShardsFromMetadata
	ShardsFromGossipsub
)

var shardSourceText = [...]string{"unknown", "enr", "metadata", "gossipsub"}

func (s ShardSource) String() string {
	if int(s) < len(shardSourceText) {
		return shardSourceText[s]
	}
	return "shard-source?"
}
