package book

import "github.com/wakupm/wakupm/shardmesh"

// reindex moves p to the buckets its current state calls for. Cost: the
// number of (protocol, shard) keys of p when its membership changed, zero
// otherwise.
func (b *Book) reindex(p *Peer) {
	next := membershipOf(p, b.cluster, &b.protos)
	if next == p.at {
		return
	}
	b.unindex(p)
	p.at = next
	b.place(p.slot, next, true)
}

// unindex removes p from every bucket it is in.
func (b *Book) unindex(p *Peer) {
	at := p.at
	p.at = membership{mask: at.mask}
	b.place(p.slot, at, false)
}

// place adds slot to (add) or removes it from (!add) every bucket that
// membership m puts a peer in: one per tracked protocol of m and shard of m
// (or the protocol's unknown-shard bucket), on m's side (connected or not).
func (b *Book) place(slot uint32, m membership, add bool) {
	if !m.indexed {
		return
	}
	side := connIndex(m.connected)
	for r := range b.protos.list {
		if !m.mask.has(ProtocolRef(r)) {
			continue
		}
		if m.unknownShards {
			b.unknown[r][side].set(slot, m.outbound, add)
			continue
		}
		for s, ok := m.shards.Next(0); ok; s, ok = m.shards.Next(s + 1) {
			b.shardBuckets(s)[r][side].set(slot, m.outbound, add)
		}
	}
}

func (b *Book) shardBuckets(s uint16) []bucketPair {
	if b.byShard[s] == nil {
		b.byShard[s] = make([]bucketPair, len(b.protos.list))
	}
	return b.byShard[s]
}

// PeerSet is a read-only view of one index bucket: random access by
// position, no allocation. It is valid until the next change of the book.
type PeerSet struct {
	book *Book
	list *peerList
}

// Len returns the number of peers in the set.
func (s PeerSet) Len() int {
	if s.list == nil {
		return 0
	}
	return len(s.list.refs)
}

// Outbound returns how many members are connected outbound (meaningful for
// connected sets only).
func (s PeerSet) Outbound() int {
	if s.list == nil {
		return 0
	}
	return s.list.outbound
}

// At returns the i-th member, 0 <= i < Len(). The order is arbitrary and
// changes as the book changes.
func (s PeerSet) At(i int) *Peer { return s.book.peers[s.list.refs[i]] }

// Peers returns the peers of our cluster that support protocol r and
// advertise shard s, connected ones when connected is true, else the others
// (not connected or being dialled). A shard of another cluster has none.
// Cost: O(1).
func (b *Book) Peers(r ProtocolRef, s shardmesh.Shard, connected bool) PeerSet {
	if int(r) >= len(b.protos.list) || s.Cluster != b.cluster || !s.Valid() || b.byShard[s.Index] == nil {
		return PeerSet{}
	}
	return PeerSet{b, &b.byShard[s.Index][r][connIndex(connected)]}
}

// IndexedOn reports whether p sits in the buckets of (r, s) that Peers
// reads.
func (b *Book) IndexedOn(p *Peer, r ProtocolRef, s shardmesh.Shard) bool {
	return p != nil && s.Cluster == b.cluster && p.at.indexed && !p.at.unknownShards &&
		p.at.mask.has(r) && p.at.shards.Contains(s.Index)
}

// AnyPeerSupports reports whether any peer of our cluster (or of an unknown
// one) supports r, on any shard or with unknown shards. O(shards in use).
func (b *Book) AnyPeerSupports(r ProtocolRef) bool {
	if int(r) >= len(b.protos.list) {
		return false
	}
	if pair := &b.unknown[r]; len(pair[0].refs) > 0 || len(pair[1].refs) > 0 {
		return true
	}
	for s := range b.byShard {
		if b.byShard[s] == nil {
			continue
		}
		if pair := &b.byShard[s][r]; len(pair[0].refs) > 0 || len(pair[1].refs) > 0 {
			return true
		}
	}
	return false
}

// PeersWithUnknownShards returns the peers supporting r whose shards are not
// known (no ENR shard entry, no metadata yet), of our cluster or an unknown
// one. Selectors use them only as a last resort.
func (b *Book) PeersWithUnknownShards(r ProtocolRef, connected bool) PeerSet {
	if int(r) >= len(b.protos.list) {
		return PeerSet{}
	}
	return PeerSet{b, &b.unknown[r][connIndex(connected)]}
}

// ConnectedPeers returns every connected peer, whatever its protocols and
// shards (relay peers, service clients, peers not yet identified), with
// Outbound counting the outbound ones. Cost: O(1).
func (b *Book) ConnectedPeers() PeerSet { return PeerSet{b, &b.connected} }
