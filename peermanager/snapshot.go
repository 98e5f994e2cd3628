package peermanager

import "github.com/wakupm/wakupm/shardmesh"

// RelaySnapshot is the relay policy's state for metrics and reports, read
// in one go (pull-based: nothing is counted on the hot path beyond the
// core's own counters).
type RelaySnapshot struct {
	Policy  string
	Cluster uint16
	// BookSize is the number of peer records.
	BookSize int
	// RelayInbound and RelayOutbound count connected relay peers.
	RelayInbound, RelayOutbound int
	// Shards has one entry per subscribed shard, by ascending index.
	Shards []ShardSnapshot
	Stats  Stats
	// Discovery counts Discover actions per shard (shards asked at least once).
	Discovery []ShardCount
	// EventsQueued and EventsDropped describe the Manager's event queue:
	// entries waiting for its loop, and events dropped since it started
	// (see DefaultMaxQueuedEntries). Zero from Core.Snapshot.
	EventsQueued  int
	EventsDropped uint64
}

// ShardSnapshot is one subscribed shard's connected relay peers.
type ShardSnapshot struct {
	Shard             uint16
	Inbound, Outbound int
	Floor             int
	// Health is the tracker's last report, HealthKnown false before one.
	Health      shardmesh.Health
	HealthKnown bool
}

// ShardCount is a count for one shard.
type ShardCount struct {
	Shard uint16
	Count uint64
}

// Snapshot returns the core's figures. O(subscribed + connected + 1024).
func (c *Core) Snapshot() RelaySnapshot {
	rc := c.relayCounts()
	s := RelaySnapshot{
		Policy: c.cfg.Name, Cluster: c.cfg.Cluster, BookSize: c.book.Len(),
		RelayInbound: rc.in, RelayOutbound: rc.out, Stats: c.stats,
		Shards: make([]ShardSnapshot, 0, c.subscribed.Len()),
	}
	for i, ok := c.subscribed.Next(0); ok; i, ok = c.subscribed.Next(i + 1) {
		total, out := c.ConnectedOnShard(i)
		s.Shards = append(s.Shards, ShardSnapshot{Shard: i, Inbound: total - out, Outbound: out,
			Floor: c.Floor(i), Health: c.health[i], HealthKnown: c.healthKnown.Contains(i)})
	}
	for i, n := range c.discoveryReqs {
		if n > 0 {
			s.Discovery = append(s.Discovery, ShardCount{Shard: uint16(i), Count: n})
		}
	}
	return s
}
