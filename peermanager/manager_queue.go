package peermanager

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
)

// DefaultMaxQueuedEntries bounds the Manager's queue of events the loop has
// not applied yet, in entries (one per peer or shard with pending events):
// beyond it, discovery, RTT, identify and metadata events about peers
// without an entry are dropped and counted. A node with more connected
// peers than this keeps their connection events: those are never dropped.
const DefaultMaxQueuedEntries = 4096

// eventQueue holds the events the Manager's loop has not applied yet. It
// never blocks the caller and its memory is bounded by the peers and shards
// the events concern, not by how many arrive: events are coalesced into one
// entry per peer and per shard (and one for the node), in the order of each
// entry's first pending event.
//
// What coalescing keeps:
//   - per peer, the latest discovery record, identify result, metadata
//     outcome, dial outcome, RTT sample and service-peer flag;
//   - per peer, the connection state: a disconnection is never dropped and
//     is applied before a later connection. A connection and the
//     disconnection that follows it while both are pending vanish together
//     (the loop never saw that connection, so there is nothing to undo), and
//     with them the identify and metadata results of that connection;
//   - per shard, the latest subscription state and a discovery-done flag;
//   - for the node, the latest targets and online state, and an offline
//     period even when the node is back online before the loop runs (so
//     that coming back online still resets backoff).
//
// When the queue holds maxEntries entries, an event that would add an entry
// for a peer is dropped if it is a discovery, RTT, identify or metadata
// event (counted in dropped: discovery finds the peer again, and a
// connected peer keeps its ENR view). Every other event is always queued:
// connection events are bounded by the host's connections, dial outcomes by
// the dials in flight, shard events by the 1024 shards, node events by one
// entry. The caller serialises access.
type eventQueue struct {
	maxEntries int
	byPeer     map[peerid.ID]*queueEntry
	byShard    map[shardmesh.Shard]*queueEntry
	node       *queueEntry
	head, tail *queueEntry
	entries    int
	dropped    uint64
}

type entryKind uint8

const (
	entryPeer entryKind = iota + 1
	entryShard
	entryNode
)

// queueEntry is one peer's, shard's or the node's pending events, linked in
// first-event order.
type queueEntry struct {
	prev, next *queueEntry
	kind       entryKind
	id         peerid.ID
	shard      shardmesh.Shard

	// peer
	discovered    book.DiscoveredPeer
	hasDiscovered bool
	disconnected  bool // a disconnection of a connection the loop may have seen
	connected     relay.PeerConnected
	hasConnected  bool
	protocols     []string
	hasIdentified bool
	metadata      relay.Event // MetadataReceived or MetadataFailed
	dial          relay.Event // DialSucceeded or DialFailed
	rtt           time.Duration
	hasRTT        bool
	service       bool
	hasService    bool

	// shard
	subscribed    bool
	hasSubscribed bool
	discoveryDone bool

	// node
	wentOffline bool
	online      bool
	hasOnline   bool
	targets     relay.TargetsChanged
	hasTargets  bool
}

func newEventQueue(maxEntries int) *eventQueue {
	return &eventQueue{
		maxEntries: maxEntries,
		byPeer:     make(map[peerid.ID]*queueEntry),
		byShard:    make(map[shardmesh.Shard]*queueEntry),
	}
}

// Len returns the number of entries.
func (q *eventQueue) Len() int { return q.entries }

// Dropped returns how many events were dropped since the queue was made.
func (q *eventQueue) Dropped() uint64 { return q.dropped }

// push coalesces ev into the queue. It reports false when it dropped ev.
func (q *eventQueue) push(ev relay.Event) bool {
	switch e := ev.(type) {
	case relay.PeerDiscovered:
		p := q.peerEntry(e.Peer.ID, true)
		if p == nil {
			return false
		}
		p.discovered, p.hasDiscovered = e.Peer, true
	case relay.PeerConnected:
		p := q.peerEntry(e.ID, false)
		p.connected, p.hasConnected = e, true
	case relay.PeerDisconnected:
		p := q.peerEntry(e.ID, false)
		if !p.hasConnected {
			p.disconnected = true
			break
		}
		p.hasConnected = false
		if !p.disconnected {
			// Connected and gone before the loop saw it: what identify
			// and metadata said belongs to that connection.
			p.hasIdentified, p.protocols, p.metadata = false, nil, nil
		}
		q.removeIfEmpty(p)
	case relay.PeerIdentified:
		p := q.peerEntry(e.ID, true)
		if p == nil {
			return false
		}
		p.protocols, p.hasIdentified = e.Protocols, true
	case relay.MetadataReceived:
		p := q.peerEntry(e.ID, true)
		if p == nil {
			return false
		}
		p.metadata = e
	case relay.MetadataFailed:
		p := q.peerEntry(e.ID, true)
		if p == nil {
			return false
		}
		p.metadata = e
	case relay.DialSucceeded:
		q.peerEntry(e.ID, false).dial = e
	case relay.DialFailed:
		q.peerEntry(e.ID, false).dial = e
	case relay.RTTMeasured:
		p := q.peerEntry(e.ID, true)
		if p == nil {
			return false
		}
		p.rtt, p.hasRTT = e.RTT, true
	case relay.ServicePeerChanged:
		p := q.peerEntry(e.ID, false)
		p.service, p.hasService = e.InUse, true
	case relay.Subscribed:
		s := q.shardEntry(e.Shard)
		s.subscribed, s.hasSubscribed = true, true
	case relay.Unsubscribed:
		s := q.shardEntry(e.Shard)
		s.subscribed, s.hasSubscribed = false, true
	case relay.DiscoveryDone:
		q.shardEntry(e.Shard).discoveryDone = true
	case relay.OnlineChanged:
		n := q.nodeEntry()
		n.online, n.hasOnline = e.Online, true
		n.wentOffline = n.wentOffline || !e.Online
	case relay.TargetsChanged:
		n := q.nodeEntry()
		n.targets, n.hasTargets = e, true
	default:
		// Tick and HealthChanged are stepped by the loop itself, never
		// queued; an unknown event is a programming error upstream.
		q.dropped++
		return false
	}
	return true
}

// drain appends every pending event to dst in entry order, empties the
// queue and returns dst.
func (q *eventQueue) drain(dst []relay.Event) []relay.Event {
	for e := q.head; e != nil; e = e.next {
		dst = e.appendEvents(dst)
	}
	q.head, q.tail, q.node, q.entries = nil, nil, nil, 0
	clear(q.byPeer)
	clear(q.byShard)
	return dst
}

func (e *queueEntry) appendEvents(dst []relay.Event) []relay.Event {
	switch e.kind {
	case entryPeer:
		if e.hasDiscovered {
			dst = append(dst, relay.PeerDiscovered{Peer: e.discovered})
		}
		if e.disconnected {
			dst = append(dst, relay.PeerDisconnected{ID: e.id})
		}
		if e.hasConnected {
			dst = append(dst, e.connected)
		}
		if e.hasIdentified {
			dst = append(dst, relay.PeerIdentified{ID: e.id, Protocols: e.protocols})
		}
		if e.metadata != nil {
			dst = append(dst, e.metadata)
		}
		if e.dial != nil {
			dst = append(dst, e.dial)
		}
		if e.hasRTT {
			dst = append(dst, relay.RTTMeasured{ID: e.id, RTT: e.rtt})
		}
		if e.hasService {
			dst = append(dst, relay.ServicePeerChanged{ID: e.id, InUse: e.service})
		}
	case entryShard:
		if e.hasSubscribed {
			if e.subscribed {
				dst = append(dst, relay.Subscribed{Shard: e.shard})
			} else {
				dst = append(dst, relay.Unsubscribed{Shard: e.shard})
			}
		}
		if e.discoveryDone {
			dst = append(dst, relay.DiscoveryDone{Shard: e.shard})
		}
	case entryNode:
		if e.wentOffline {
			dst = append(dst, relay.OnlineChanged{Online: false})
		}
		if e.hasOnline && e.online {
			dst = append(dst, relay.OnlineChanged{Online: true})
		}
		if e.hasTargets {
			dst = append(dst, e.targets)
		}
	}
	return dst
}

// peerEntry returns id's entry, adding one if needed. A droppable event
// gets nil instead of a new entry when the queue is full (and is counted).
func (q *eventQueue) peerEntry(id peerid.ID, droppable bool) *queueEntry {
	if e := q.byPeer[id]; e != nil {
		return e
	}
	if droppable && q.entries >= q.maxEntries {
		q.dropped++
		return nil
	}
	e := &queueEntry{kind: entryPeer, id: id}
	q.byPeer[id] = e
	q.link(e)
	return e
}

func (q *eventQueue) shardEntry(s shardmesh.Shard) *queueEntry {
	if e := q.byShard[s]; e != nil {
		return e
	}
	e := &queueEntry{kind: entryShard, shard: s}
	q.byShard[s] = e
	q.link(e)
	return e
}

func (q *eventQueue) nodeEntry() *queueEntry {
	if q.node == nil {
		q.node = &queueEntry{kind: entryNode}
		q.link(q.node)
	}
	return q.node
}

func (q *eventQueue) link(e *queueEntry) {
	e.prev = q.tail
	if q.tail != nil {
		q.tail.next = e
	} else {
		q.head = e
	}
	q.tail = e
	q.entries++
}

// removeIfEmpty unlinks a peer entry left with nothing to deliver.
func (q *eventQueue) removeIfEmpty(e *queueEntry) {
	if e.hasDiscovered || e.disconnected || e.hasConnected || e.hasIdentified || e.metadata != nil ||
		e.dial != nil || e.hasRTT || e.hasService {
		return
	}
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		q.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		q.tail = e.prev
	}
	delete(q.byPeer, e.id)
	q.entries--
}
