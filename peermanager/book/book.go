package book

import (
	"errors"
	"iter"
	"net/netip"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// DefaultCapacity is the number of peer records a Book keeps before it
// evicts disconnected ones: 5 × a 300-connection node, nwaku's peer-store
// ratio (nwaku waku/node/waku_switch.nim:98 at 7d1c6aba), rounded down.
const DefaultCapacity = 1500

// rttWeight is the EWMA weight of a new RTT sample, 1/8 as TCP's SRTT
// (RFC 6298 alpha): smooth enough to ignore one slow ping, fast enough to
// follow a route change within ~10 samples.
const rttWeight = 8

// Book is the peer book: one record per known peer, indexed by shard and by
// (tracked protocol, shard) and split by connectedness, so that "connected
// relay peers on shard 5" or "dialable store peers on shard 5" is a bucket
// read, never a scan of the book. Addresses are not kept here; they stay in
// the libp2p peerstore (or whatever address book the node's shell keeps).
//
// The Book is pure: it reads no clock (callers pass now), starts no
// goroutine and does no I/O. It is not safe for concurrent use; its owner
// (the relay Core, or the Manager around it) serialises access.
//
// Capacity: when a new peer would exceed the capacity, the book evicts a
// batch of the least useful evictable peers (never connected, dialling,
// static or kept ones) that are less useful than the newcomer; when there is
// none the newcomer is not recorded. See evict.go for the order.
//
// The book keeps what is known of peers, never its owners' decisions: the
// relay core and the service-peer selector keep their per-peer state on
// their side (keyed by Peer.Slot, checked with Holds).
type Book struct {
	cluster  uint16
	capacity int
	protos   protocolTable

	peers []*Peer // by slot; nil where free
	free  []uint32
	byID  map[peerid.ID]*Peer

	byShard [shardmesh.ShardsPerCluster][]bucketPair // [shard][protocol]; nil until used
	unknown []bucketPair                             // [protocol]: peers with no shard info

	connected   peerList           // every connected peer, in connection order
	connectedIP map[netip.Addr]int // connected peers per colocation group
	v6Bits      int                // IPv6 colocation prefix length; 0: per address
	wanted      shardmesh.ShardSet // shards the owner cares about (eviction order)
	evictions   int

	mdTTL    time.Duration // metadata TTL; 0: never expires
	mdExpiry []*Peer       // min-heap on Peer.mdExpires (metadata.go)
}

// New returns an empty book for our cluster.
func New(cluster uint16, opts ...Option) (*Book, error) {
	cfg := config{capacity: DefaultCapacity, mdTTL: DefaultMetadataTTL, protos: DefaultTrackedProtocols()}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	protos, err := newProtocolTable(cfg.protos)
	if err != nil {
		return nil, err
	}
	return &Book{
		cluster:     cluster,
		capacity:    cfg.capacity,
		protos:      protos,
		mdTTL:       cfg.mdTTL,
		v6Bits:      cfg.v6Bits,
		byID:        make(map[peerid.ID]*Peer),
		connectedIP: make(map[netip.Addr]int),
		unknown:     make([]bucketPair, len(protos.list)),
	}, nil
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
func (b *Book) Protocol(id string) (ProtocolRef, bool) {
	r, ok := b.protos.index[id]
	return r, ok
}

// MustProtocol is Protocol for ids known to be tracked (the Waku defaults);
// it panics otherwise, which is a programming error.
func (b *Book) MustProtocol(id string) ProtocolRef {
	r, ok := b.protos.index[id]
	if !ok {
		panic("book: protocol " + id + " is not tracked by this book")
	}
	return r
}

// Protocols returns the tracked protocols peer p supports.
func (b *Book) Protocols(p *Peer) []string { return p.protocols(&b.protos) }

// TrackedProtocols returns the protocols the book indexes, in ProtocolRef
// order (a copy).
func (b *Book) TrackedProtocols() []TrackedProtocol {
	return append([]TrackedProtocol(nil), b.protos.list...)
}

// Get returns the record of id, or nil.
func (b *Book) Get(id peerid.ID) *Peer { return b.byID[id] }

// Holds reports whether p is a live record of this book: it was not
// removed since the book returned it. O(1), no hashing: owners that cache
// *Peer values check them with it.
func (b *Book) Holds(p *Peer) bool {
	return p != nil && int(p.slot) < len(b.peers) && b.peers[p.slot] == p
}

// Slots returns one more than the highest Peer.Slot in use so far: a
// slice of that length indexes every record by slot.
func (b *Book) Slots() int { return len(b.peers) }

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
var ErrBookFull = errors.New("book: full of peers more useful than the new one")

// DiscoveredPeer is what discovery (discv5, peer exchange, static
// configuration) knows about a peer. ENR fields are meaningful only when
// HasENR is set; Shards only when HasShards (an ENR without rs/rsv).
type DiscoveredPeer struct {
	ID        peerid.ID
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
