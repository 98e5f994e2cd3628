package peermanager

import (
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/shardmesh"
)

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
)

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

// Peer is one record of the Book. Its fields are private: read it through
// its methods; change it only through the Book (which keeps the indexes in
// step). A *Peer returned by the Book is valid until the peer is removed.
type Peer struct {
	id   peer.ID
	slot uint32

	cluster      uint16
	clusterKnown bool
	enrCluster   uint16 // the ENR's cluster, when hasENR
	enrShards    shardmesh.ShardSet
	mdShards     shardmesh.ShardSet
	hasENR       bool // enrShards was set from an ENR
	hasMetadata  bool // mdShards was set from a metadata exchange
	gsShards     shardmesh.ShardSet
	hasGossipsub bool      // gsShards: the topics the peer announced in gossipsub
	mdExpires    time.Time // when the metadata expires, while scheduled
	mdIndex      int       // 1-based position in the book's expiry heap; 0: not scheduled
	caps         shardmesh.Capabilities
	hasCaps      bool
	protos       protoMask // tracked protocols from identify
	identified   bool

	origin        Origin
	direction     Direction
	connectedness Connectedness
	ip            netip.Addr

	dialFailures int
	backoffUntil time.Time
	rtt          time.Duration // EWMA, 0 = never measured
	lastSeen     time.Time
	connectedAt  time.Time
	keep         bool // never evicted for capacity (set by the owner)

	at membership // where the peer currently sits in the indexes

	// Owner scratch, kept here so that the relay core needs no side maps on
	// its hot paths. Not part of the record's meaning.
	mark      uint32 // candidate-pool epoch stamp
	service   bool   // in use as a service peer: never pruned as relay
	protected bool   // the core told the connection manager to protect it
	// cooldownUntil: the peer closed on us or we pruned it; the coverage
	// strategy dials it before then only when nothing else is left.
	cooldownUntil time.Time
	// earlyCloseUntil: the connection came from our dial at
	// connectedAt; if the peer closes it before then, the dial failed
	// after all and failuresBeforeConn+1 is its failure count.
	earlyCloseUntil    time.Time
	failuresBeforeConn int
}

// CoolingDown reports whether the relay core keeps the peer as a last
// resort at now (it pruned the peer, or the peer closed the connection,
// less than PruneCooldown ago).
func (p *Peer) CoolingDown(now time.Time) bool { return now.Before(p.cooldownUntil) }

// ID returns the peer id.
func (p *Peer) ID() peer.ID { return p.id }

// Cluster returns the peer's cluster and whether it is known (from its ENR
// or a metadata exchange).
func (p *Peer) Cluster() (uint16, bool) { return p.cluster, p.clusterKnown }

// Shards returns the shards the peer serves and where they come from: the
// shard topics it announced in gossipsub when the owner fed them
// (Book.GossipsubTopics), else metadata when the peer answered a metadata
// request, else its ENR, else ShardsUnknown with the empty set.
func (p *Peer) Shards() (shardmesh.ShardSet, ShardSource) {
	switch {
	case p.hasGossipsub:
		return p.gsShards, ShardsFromGossipsub
	case p.hasMetadata:
		return p.mdShards, ShardsFromMetadata
	case p.hasENR:
		return p.enrShards, ShardsFromENR
	}
	return shardmesh.ShardSet{}, ShardsUnknown
}

// ENRShards returns the shards from the peer's ENR, if one was seen.
func (p *Peer) ENRShards() (shardmesh.ShardSet, bool) { return p.enrShards, p.hasENR }

// MetadataShards returns the shards from the metadata protocol, if
// exchanged and not expired (see WithMetadataTTL).
func (p *Peer) MetadataShards() (shardmesh.ShardSet, bool) { return p.mdShards, p.hasMetadata }

// shardmesh.Capabilities returns the ENR `waku2` bits and whether an ENR gave them.
func (p *Peer) Capabilities() (shardmesh.Capabilities, bool) { return p.caps, p.hasCaps }

// Identified reports whether identify has reported the peer's protocols.
func (p *Peer) Identified() bool { return p.identified }

// Origin returns how the peer was first learnt of (static is sticky).
func (p *Peer) Origin() Origin { return p.origin }

// Direction returns the direction of the current (or last) connection.
func (p *Peer) Direction() Direction { return p.direction }

// Connectedness returns the book's view of the connection.
func (p *Peer) Connectedness() Connectedness { return p.connectedness }

// IP returns the last known IP of the peer (from its connection, else from
// discovery); the zero Addr when unknown. Addresses stay in the peerstore:
// the IP is kept only for the colocation limit.
func (p *Peer) IP() netip.Addr { return p.ip }

// DialFailures returns consecutive failed dials since the last success.
func (p *Peer) DialFailures() int { return p.dialFailures }

// BackoffUntil returns the time before which the peer must not be dialled.
func (p *Peer) BackoffUntil() time.Time { return p.backoffUntil }

// InBackoff reports whether the peer must not be dialled at now.
func (p *Peer) InBackoff(now time.Time) bool { return now.Before(p.backoffUntil) }

// RTT returns the exponentially weighted moving average of the measured
// round-trip times, and false when none was measured.
func (p *Peer) RTT() (time.Duration, bool) { return p.rtt, p.rtt > 0 }

// LastSeen returns the last time any event concerned the peer.
func (p *Peer) LastSeen() time.Time { return p.lastSeen }

// ConnectedAt returns when the current connection was established (zero
// when not connected).
func (p *Peer) ConnectedAt() time.Time { return p.connectedAt }

// Kept reports whether the owner pinned the record against eviction.
func (p *Peer) Kept() bool { return p.keep }

// Static reports whether the peer was configured as a static peer.
func (p *Peer) Static() bool { return p.origin == OriginStatic }

// Supports reports whether the peer supports tracked protocol r: from
// identify once identified, else from its ENR `waku2` bits.
func (p *Peer) Supports(r ProtocolRef) bool { return p.at.mask.has(r) }

// supportedMask returns the tracked protocols: identify wins over the ENR.
func (p *Peer) supportedMask(t *protocolTable) protoMask {
	if p.identified {
		return p.protos
	}
	if p.hasCaps {
		return t.maskOfCaps(p.caps)
	}
	return 0
}

// Protocols returns the tracked protocols the peer supports (see Supports).
func (p *Peer) protocols(t *protocolTable) []protocol.ID {
	var out []protocol.ID
	for i, tp := range t.list {
		if p.at.mask.has(ProtocolRef(i)) {
			out = append(out, tp.ID)
		}
	}
	return out
}

// Protected reports whether the relay core asked the connection manager to
// protect the peer (it holds up a shard's floor, or is static).
func (p *Peer) Protected() bool { return p.protected }
