package book

import (
	"net/netip"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// Peer is one record of the Book. Its fields are private: read it through
// its methods; change it only through the Book (which keeps the indexes in
// step). A *Peer returned by the Book is valid until the peer is removed
// (Book.Holds tells).
//
// It holds what the book knows of the peer, nothing of its owners'
// decisions: a core that keeps state per peer keeps it on its side, keyed
// by Slot.
type Peer struct {
	id   peerid.ID
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
}

// ID returns the peer id.
func (p *Peer) ID() peerid.ID { return p.id }

// Slot returns the record's position in its book: a small index, below
// Book.Slots, that stays the record's while it is in the book and is given
// to another record after this one is removed. Owners keep per-peer state
// in a slice indexed by it, and tell a reused slot by the *Peer they stored
// with their state (a new record is always a new *Peer).
func (p *Peer) Slot() int { return int(p.slot) }

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

// Capabilities returns the ENR `waku2` bits and whether an ENR gave them.
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

// IndexedShards returns the shard indexes (in the book's cluster) the book
// indexes the peer under: its Shards when it is of the book's cluster (or
// of an unknown one), supports a tracked protocol and its shards are known;
// else the empty set. Cores read it on hot paths instead of Shards, whose
// source they would have to check.
func (p *Peer) IndexedShards() shardmesh.ShardSet { return p.at.shards }

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

// protocols returns the tracked protocols the peer supports (see Supports).
func (p *Peer) protocols(t *protocolTable) []string {
	var out []string
	for i, tp := range t.list {
		if p.at.mask.has(ProtocolRef(i)) {
			out = append(out, tp.ID)
		}
	}
	return out
}
