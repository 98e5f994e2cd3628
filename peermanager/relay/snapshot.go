package relay

import (
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// Snapshot is the relay policy's state for metrics and reports, read in
// one go (pull-based: nothing is counted on the hot path beyond the core's
// own counters).
type Snapshot struct {
	// Name is the configuration's Name (the preset's, for a preset).
	Name    string
	Cluster uint16
	// BookSize is the number of peer records.
	BookSize int
	// Footprint is what the core holds per peer, in entries: what must
	// stay bounded however many peers a long-running node has seen.
	Footprint Footprint
	// RelayInbound and RelayOutbound count connected relay peers.
	RelayInbound, RelayOutbound int
	// ConnectedByOrigin counts connected peers (relay or not) by how we
	// first learnt of them (index by book.Origin).
	ConnectedByOrigin [book.NumOrigins]int
	// Shards has one entry per subscribed shard, by ascending index.
	Shards []ShardSnapshot
	Stats  Stats
	// Discovery counts Discover actions per shard (shards asked at least once).
	Discovery []ShardCount
	// EventsQueued and EventsDropped describe the event queue of a shell
	// that queues events before stepping the core (peermanager.Manager):
	// entries waiting, and events dropped since it started. The shell
	// fills them; Core.Snapshot leaves them zero.
	EventsQueued  int
	EventsDropped uint64
}

// Footprint counts the core's per-peer entries.
type Footprint struct {
	// BookSlots is the book's slot table (records and free slots): it
	// never shrinks, and grows only up to the book's capacity.
	BookSlots int
	// PeerStates is the core's per-peer state table, indexed by book
	// slot: at most BookSlots.
	PeerStates int
	// Dials are the dials in flight (at most MaxDialsInFlight, plus static
	// peers), DialingIPs their colocation groups, Queue the dial queue of
	// the preset strategies, Static the static peers.
	Dials, DialingIPs, Queue, Static int
}

// ShardSnapshot is one subscribed shard's connected relay peers.
type ShardSnapshot struct {
	Shard             shardmesh.Shard
	Inbound, Outbound int
	Floor             int
	// Known is the number of relay peers in the book advertising the shard,
	// connected or not: what discovery has found and the book kept.
	Known int
	// Dials and DialFailures count the dials started to (and failed to,
	// expired included) peers advertising the shard, since the core began;
	// a dial counts once for each subscribed shard of the peer.
	Dials, DialFailures uint64
	// Health is the tracker's last report, HealthKnown false before one.
	Health      shardmesh.Health
	HealthKnown bool
}

// ShardCount is a count for one shard.
type ShardCount struct {
	Shard shardmesh.Shard
	Count uint64
}

// Snapshot returns the core's figures. O(subscribed + connected + 1024).
func (c *Core) Snapshot() Snapshot {
	rc := c.relayCounts()
	s := Snapshot{
		Name: c.cfg.Name, Cluster: c.cfg.Cluster, BookSize: c.book.Len(),
		RelayInbound: rc.in, RelayOutbound: rc.out, Stats: c.stats,
		Footprint: Footprint{BookSlots: c.book.Slots(), PeerStates: len(c.states), Dials: len(c.dials),
			DialingIPs: len(c.dialingIP), Queue: len(c.queue), Static: len(c.static)},
		Shards: make([]ShardSnapshot, 0, c.subscribed.Len()),
	}
	for i, ok := c.subscribed.Next(0); ok; i, ok = c.subscribed.Next(i + 1) {
		set := c.relayPeers(i, true)
		total, out := set.Len(), set.Outbound()
		s.Shards = append(s.Shards, ShardSnapshot{Shard: c.shard(i), Inbound: total - out, Outbound: out,
			Floor: c.floor(i), Known: total + c.relayPeers(i, false).Len(),
			Dials: c.dialsByShard[i], DialFailures: c.dialFailsByShard[i],
			Health: c.health[i], HealthKnown: c.healthKnown.Contains(i)})
	}
	conn := c.book.ConnectedPeers()
	for j := range conn.Len() {
		if o := int(conn.At(j).Origin()); o < book.NumOrigins {
			s.ConnectedByOrigin[o]++
		}
	}
	for i, n := range c.discoveryReqs {
		if n > 0 {
			s.Discovery = append(s.Discovery, ShardCount{Shard: c.shard(uint16(i)), Count: n})
		}
	}
	return s
}

// Stats are the core's cumulative counters, read by the metrics collector.
type Stats struct {
	DialsStarted   uint64
	DialsSucceeded uint64
	DialsFailed    uint64
	// DialsExpired counts dials the shell never reported back on.
	DialsExpired uint64
	// DialsClosedEarly counts succeeded dials whose connection the peer
	// closed within EarlyCloseWindow (counted as failures for backoff).
	DialsClosedEarly uint64
	// DialFailuresByCause counts DialsFailed and DialsExpired by cause
	// (index by DialCause; expired dials are CauseExpired).
	DialFailuresByCause [NumDialCauses]uint64
	Disconnects         [numReasons]uint64
	DiscoveryRequests   uint64
	// BookFull counts discovered peers the book had no room for.
	BookFull uint64
	// Forgotten counts peers removed after too many failures or as misfits.
	Forgotten uint64
	// PruneSearches counts prune passes whose greedy plan fell short of the
	// targets, so that the exact search ran; PruneSearchRescues those where
	// it found a plan that reaches them.
	PruneSearches, PruneSearchRescues uint64
	// Misreports counts connected peers whose gossipsub announcements
	// named none of the subscribed shards they advertised
	// (Config.DistrustBroadClaims).
	Misreports uint64
}
