package peermanager

import (
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/shardmesh"
)

// DefaultBookCapacity is the number of peer records a Book keeps before it
// evicts disconnected ones: 5 × a 300-connection node, nwaku's peer-store
// ratio (waku_switch.nim:98, REFERENCE.md §3.1), rounded down.
const DefaultBookCapacity = 1500

// rttWeight is the EWMA weight of a new RTT sample, 1/8 as TCP's SRTT
// (RFC 6298 alpha): smooth enough to ignore one slow ping, fast enough to
// follow a route change within ~10 samples.
const rttWeight = 8

// Book is the peer book: one record per known peer, indexed by shard and by
// (tracked protocol, shard) and split by connectedness, so that "connected
// relay peers on shard 5" or "dialable store peers on shard 5" is a bucket
// read, never a scan of the book. Addresses are not kept here; they stay in
// the libp2p peerstore.
//
// The Book is pure: it reads no clock (callers pass now), starts no
// goroutine and does no I/O. It is not safe for concurrent use; its owner
// (the relay Core, or the Manager around it) serialises access.
//
// Capacity: when a new peer would exceed the capacity, the book evicts a
// batch of the least useful evictable peers (never connected, dialling,
// static or kept ones) that are less useful than the newcomer; when there is
// none the newcomer is not recorded. See evict.go for the order.
type Book struct {
	cluster  uint16
	capacity int
	protos   protocolTable

	peers []*Peer // by slot; nil where free
	free  []uint32
	byID  map[peer.ID]*Peer

	byShard [shardmesh.ShardsPerCluster][]bucketPair // [shard][protocol]; nil until used
	unknown []bucketPair                             // [protocol]: peers with no shard info

	connected   peerList           // every connected peer, in connection order
	connectedIP map[netip.Addr]int // connected peers per colocation group
	v6Bits      int                // IPv6 colocation prefix length; 0: per address
	wanted      shardmesh.ShardSet // shards the owner cares about (eviction order)
	evictions   int

	mdTTL    time.Duration // metadata TTL; 0: never expires
	mdExpiry []*Peer       // min-heap on Peer.mdExpires (book_metadata.go)
}

// BookOption configures a Book.
type BookOption func(*Book) error

// WithCapacity sets how many records the book keeps (default
// DefaultBookCapacity). Connected peers are always recorded, so the book can
// exceed it while more peers than that are connected.
func WithCapacity(n int) BookOption {
	return func(b *Book) error {
		if n < 1 {
			return fmt.Errorf("peermanager: book capacity %d, want >= 1", n)
		}
		b.capacity = n
		return nil
	}
}

// WithTrackedProtocols replaces the protocols the book indexes (default
// DefaultTrackedProtocols). At most MaxTrackedProtocols.
func WithTrackedProtocols(list ...TrackedProtocol) BookOption {
	return func(b *Book) error {
		t, err := newProtocolTable(list)
		if err != nil {
			return err
		}
		b.protos = t
		return nil
	}
}

// NewBook returns an empty book for our cluster.
func NewBook(cluster uint16, opts ...BookOption) (*Book, error) {
	b := &Book{
		cluster:     cluster,
		capacity:    DefaultBookCapacity,
		mdTTL:       DefaultMetadataTTL,
		byID:        make(map[peer.ID]*Peer),
		connectedIP: make(map[netip.Addr]int),
	}
	t, err := newProtocolTable(DefaultTrackedProtocols())
	if err != nil {
		return nil, err
	}
	b.protos = t
	for _, o := range opts {
		if err := o(b); err != nil {
			return nil, err
		}
	}
	b.unknown = make([]bucketPair, len(b.protos.list))
	return b, nil
}

// Cluster returns the cluster the book indexes.
func (b *Book) Cluster() uint16 { return b.cluster }

// Capacity returns the configured capacity.
func (b *Book) Capacity() int { return b.capacity }

// Len returns the number of records.
func (b *Book) Len() int { return len(b.byID) }

// Evictions returns how many records were evicted for capacity so far.
func (b *Book) Evictions() int { return b.evictions }

// Protocol returns the reference of a tracked protocol, for the index reads.
func (b *Book) Protocol(id protocol.ID) (ProtocolRef, bool) {
	r, ok := b.protos.index[id]
	return r, ok
}

// MustProtocol is Protocol for ids known to be tracked (the Waku defaults);
// it panics otherwise, which is a programming error.
func (b *Book) MustProtocol(id protocol.ID) ProtocolRef {
	r, ok := b.protos.index[id]
	if !ok {
		panic("peermanager: protocol " + string(id) + " is not tracked by this book")
	}
	return r
}

// Protocols returns the tracked protocols peer p supports.
func (b *Book) Protocols(p *Peer) []protocol.ID { return p.protocols(&b.protos) }

// Get returns the record of id, or nil.
func (b *Book) Get(id peer.ID) *Peer { return b.byID[id] }

// All yields every record, in slot order. It scans the book: for tests,
// debugging and rare maintenance, not for hot paths.
func (b *Book) All() iter.Seq[*Peer] {
	return func(yield func(*Peer) bool) {
		for _, p := range b.peers {
			if p != nil && !yield(p) {
				return
			}
		}
	}
}

// SetWanted tells the book which shards its owner is interested in (our
// subscriptions); eviction drops peers on none of them first.
func (b *Book) SetWanted(s shardmesh.ShardSet) { b.wanted = s }

// ErrBookFull is returned when a new peer cannot be recorded because the
// book is at capacity and every record is more useful or not evictable.
var ErrBookFull = errors.New("peermanager: peer book full of peers more useful than the new one")

// DiscoveredPeer is what discovery (discv5, peer exchange, static
// configuration) knows about a peer. ENR fields are meaningful only when
// HasENR is set; Shards only when HasShards (an ENR without rs/rsv).
type DiscoveredPeer struct {
	ID        peer.ID
	Origin    Origin
	HasENR    bool
	Cluster   uint16
	HasShards bool
	Shards    shardmesh.ShardSet
	Caps      shardmesh.Capabilities
	IP        netip.Addr
}

// Discover records or refreshes a discovered peer and returns its record.
// ENR data refreshes the ENR view (metadata, when present, keeps priority).
// It returns ErrBookFull when the peer is new and the book cannot make room.
func (b *Book) Discover(d DiscoveredPeer, now time.Time) (*Peer, error) {
	p := b.byID[d.ID]
	if p == nil {
		cand := Peer{id: d.ID, origin: d.Origin, lastSeen: now}
		applyDiscovery(&cand, d)
		if err := b.makeRoom(&cand); err != nil {
			return nil, err
		}
		p = b.insert(cand)
	} else {
		if d.Origin == OriginStatic || p.origin == OriginUnknown || p.origin == OriginInbound {
			if p.origin != OriginStatic {
				p.origin = d.Origin
			}
		}
		applyDiscovery(p, d)
		p.lastSeen = now
	}
	b.reindex(p)
	return p, nil
}

func applyDiscovery(p *Peer, d DiscoveredPeer) {
	if d.HasENR {
		p.caps, p.hasCaps = d.Caps, true
		if d.HasShards {
			p.enrShards, p.hasENR, p.enrCluster = d.Shards, true, d.Cluster
			if !p.hasMetadata {
				p.cluster, p.clusterKnown = d.Cluster, true
			}
		}
	}
	if d.IP.IsValid() && p.connectedness != Connected {
		p.ip = d.IP
	}
}

// Connected records an established connection (creating the record for an
// inbound peer we did not know). ip may be the zero Addr when unknown.
// Connected peers are always recorded, even above capacity.
func (b *Book) Connected(id peer.ID, dir Direction, ip netip.Addr, now time.Time) *Peer {
	p := b.byID[id]
	isNew := p == nil
	if isNew {
		origin := OriginInbound
		if dir == Outbound {
			origin = OriginUnknown
		}
		p = b.insert(Peer{id: id, origin: origin})
	}
	if p.connectedness == Connected && p.ip.IsValid() {
		b.unrefIP(p.ip)
	}
	if p.connectedness == Connected {
		b.connected.remove(p.slot, p.direction == Outbound)
	} else {
		p.connectedAt = now
	}
	b.unscheduleMetadata(p) // live while connected
	p.direction = dir
	p.connectedness = Connected
	b.connected.add(p.slot, dir == Outbound)
	if ip.IsValid() {
		p.ip = ip
	}
	if p.ip.IsValid() {
		b.connectedIP[b.ColocationGroup(p.ip)]++
	}
	p.lastSeen = now
	b.reindex(p)
	if isNew {
		_ = b.makeRoom(nil) // over capacity: shed a batch of others if possible
	}
	return p
}

// Disconnected records that the last connection to id closed.
func (b *Book) Disconnected(id peer.ID, now time.Time) *Peer {
	p := b.byID[id]
	if p == nil {
		return nil
	}
	if p.connectedness == Connected {
		b.connected.remove(p.slot, p.direction == Outbound)
		if p.ip.IsValid() {
			b.unrefIP(p.ip)
		}
	}
	wasConnected := p.connectedness == Connected
	p.connectedness = NotConnected
	p.connectedAt = time.Time{}
	p.lastSeen = now
	if wasConnected {
		b.scheduleMetadata(p, now)
	}
	b.reindex(p)
	return p
}

func (b *Book) unrefIP(ip netip.Addr) {
	ip = b.ColocationGroup(ip)
	if n := b.connectedIP[ip] - 1; n > 0 {
		b.connectedIP[ip] = n
	} else {
		delete(b.connectedIP, ip)
	}
}

// ConnectedOnIP returns how many connected peers share ip's colocation
// group (ColocationGroup).
func (b *Book) ConnectedOnIP(ip netip.Addr) int { return b.connectedIP[b.ColocationGroup(ip)] }

// ColocationGroup returns the address that stands for ip in colocation
// counts: ip itself for IPv4 (and IPv4-mapped IPv6), the first address of
// its prefix for IPv6 when the owning core groups IPv6 by prefix
// (Config.ColocationIPv6Bits).
func (b *Book) ColocationGroup(ip netip.Addr) netip.Addr {
	ip = ip.Unmap().WithZone("")
	if b.v6Bits == 0 || !ip.Is6() {
		return ip
	}
	pfx, err := ip.Prefix(b.v6Bits)
	if err != nil {
		return ip
	}
	return pfx.Addr()
}

// SetDialing marks a not-connected peer as being dialled (so that it is not
// chosen twice) or, with false, back to not connected. It returns false when
// the peer is unknown or already connected.
func (b *Book) SetDialing(id peer.ID, dialing bool, now time.Time) bool {
	p := b.byID[id]
	if p == nil || p.connectedness == Connected {
		return false
	}
	if dialing {
		p.connectedness = Dialing
	} else {
		p.connectedness = NotConnected
	}
	p.lastSeen = now
	return true
}

// Identified records the protocols identify reported. Only tracked
// protocols are kept; identify's answer replaces the ENR capabilities as the
// source of truth for protocol support.
func (b *Book) Identified(id peer.ID, protos []protocol.ID, now time.Time) *Peer {
	p := b.byID[id]
	if p == nil {
		return nil
	}
	p.protos, p.identified = b.protos.maskOf(protos), true
	p.lastSeen = now
	b.reindex(p)
	return p
}

// MetadataReceived records a metadata exchange: the peer's cluster and
// shards. They take priority over the ENR's until they expire, a TTL after
// the exchange or the end of the peer's last connection (WithMetadataTTL).
func (b *Book) MetadataReceived(id peer.ID, cluster uint16, shards shardmesh.ShardSet, now time.Time) *Peer {
	p := b.byID[id]
	if p == nil {
		return nil
	}
	p.cluster, p.clusterKnown = cluster, true
	p.mdShards, p.hasMetadata = shards, true
	p.lastSeen = now
	if p.connectedness != Connected {
		b.scheduleMetadata(p, now)
	}
	b.reindex(p)
	return p
}

// DialFailed records a failed dial with the backoff deadline the caller
// computed, and returns the number of consecutive failures.
func (b *Book) DialFailed(id peer.ID, backoffUntil, now time.Time) int {
	p := b.byID[id]
	if p == nil {
		return 0
	}
	p.dialFailures++
	p.backoffUntil = backoffUntil
	if p.connectedness == Dialing {
		p.connectedness = NotConnected
	}
	p.lastSeen = now
	return p.dialFailures
}

// ResetBackoff clears the failures and backoff of id (after a successful
// dial or connection).
func (b *Book) ResetBackoff(id peer.ID) {
	if p := b.byID[id]; p != nil {
		p.dialFailures, p.backoffUntil = 0, time.Time{}
	}
}

// ResetAllBackoff clears every peer's failures and backoff: when the node
// comes back online, failures recorded while it was offline say nothing
// about the peers. It scans the book (a rare event).
func (b *Book) ResetAllBackoff() {
	for _, p := range b.peers {
		if p != nil {
			p.dialFailures, p.backoffUntil = 0, time.Time{}
		}
	}
}

// ObserveRTT folds an RTT sample into the peer's EWMA.
func (b *Book) ObserveRTT(id peer.ID, rtt time.Duration, now time.Time) {
	p := b.byID[id]
	if p == nil || rtt <= 0 {
		return
	}
	if p.rtt == 0 {
		p.rtt = rtt
	} else {
		p.rtt += (rtt - p.rtt) / rttWeight
		if p.rtt <= 0 {
			p.rtt = 1
		}
	}
	p.lastSeen = now
}

// Keep pins (or unpins) a record against capacity eviction.
func (b *Book) Keep(id peer.ID, keep bool) {
	if p := b.byID[id]; p != nil {
		p.keep = keep
	}
}

// Remove deletes the record of id and reports whether there was one.
func (b *Book) Remove(id peer.ID) bool {
	p := b.byID[id]
	if p == nil {
		return false
	}
	if p.connectedness == Connected {
		b.connected.remove(p.slot, p.direction == Outbound)
		if p.ip.IsValid() {
			b.unrefIP(p.ip)
		}
	}
	b.unscheduleMetadata(p)
	b.unindex(p)
	delete(b.byID, id)
	b.peers[p.slot] = nil
	b.free = append(b.free, p.slot)
	return true
}

func (b *Book) insert(cand Peer) *Peer {
	p := new(Peer)
	*p = cand
	if n := len(b.free); n > 0 {
		p.slot = b.free[n-1]
		b.free = b.free[:n-1]
		b.peers[p.slot] = p
	} else {
		p.slot = uint32(len(b.peers))
		b.peers = append(b.peers, p)
	}
	b.byID[p.id] = p
	return p
}
