package telemetry

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
)

// Builder turns snapshots into report items. It remembers the previous
// report's cumulative counters so that each Wakupm* item carries what
// happened in its interval (counters that went down, a restarted source,
// count from zero). Not safe for concurrent use: the Reporter owns one; a
// simulator may own one per node.
type Builder struct {
	rec    Record
	src    Sources
	prevAt time.Time
	prev   counters
}

// counters are the cumulative figures of the previous report.
type counters struct {
	gossip  map[gossipKey][2]uint64 // bytes, entries
	streams map[streamKey]uint64
	disc    UDPTraffic
	app     map[string][2]uint64 // in, out
	dials   map[shardmesh.Shard][2]uint64
	causes  [relay.NumDialCauses]uint64
	slotAdm [slots.NumServices]uint64
	slotRej [slots.NumServices]uint64
}

type gossipKey struct {
	dir      metrics.Direction
	typ      metrics.MessageType
	shard    shardmesh.Shard
	hasShard bool
}

type streamKey struct {
	proto string
	dir   metrics.Direction
}

// NewBuilder returns a builder reporting as rec (its PeerID must already be
// hashed: see HashPeerID) whose first interval starts at start.
func NewBuilder(rec Record, src Sources, start time.Time) *Builder {
	return &Builder{rec: rec, src: src, prevAt: start, prev: counters{
		gossip: map[gossipKey][2]uint64{}, streams: map[streamKey]uint64{},
		app: map[string][2]uint64{}, dials: map[shardmesh.Shard][2]uint64{},
	}}
}

// Build reads every source once and returns the report for the interval
// ending at now, items numbered from 1.
func (b *Builder) Build(now time.Time) ([]Item, error) {
	interval := now.Sub(b.prevAt).Seconds()
	if interval <= 0 {
		interval = 0
	}
	h := Header{Record: b.rec, Version: SchemaVersion, Timestamp: now.Unix(), IntervalSeconds: interval}
	var out itemList
	if b.src.Streams != nil {
		snap := b.src.Streams()
		out.add(TypeProtocolStats, b.protocolStats(snap, interval))
		out.add(TypeProtocolBytes, b.protocolBytes(h, snap))
	}
	var rs *relay.Snapshot
	if b.src.Relay != nil {
		snap := b.src.Relay()
		rs = &snap
		for _, s := range snap.Shards {
			out.add(TypePeerCountByShard, PeerCountByShard{Record: b.rec, Count: s.Inbound + s.Outbound,
				Shard: int(s.Shard.Index), Timestamp: h.Timestamp})
		}
		for o, n := range snap.ConnectedByOrigin {
			out.add(TypePeerCountByOrigin, PeerCountByOrigin{Record: b.rec, Count: n,
				Origin: statusOrigin(o), Timestamp: h.Timestamp})
		}
		b.dialFailures(&out, h, snap.Stats.DialFailuresByCause)
	}
	if b.src.Relay != nil || b.src.Mesh != nil {
		var mesh []shardmesh.ShardHealth
		if b.src.Mesh != nil {
			mesh = b.src.Mesh()
		}
		out.add(TypeShardHealth, b.shardHealth(h, rs, mesh))
	}
	if b.src.Gossip != nil {
		out.add(TypeGossipBytes, b.gossipBytes(h, b.src.Gossip()))
	}
	if b.src.Discovery != nil {
		t := b.src.Discovery()
		p := b.prev.disc
		out.add(TypeDiscoveryBytes, DiscoveryBytes{Header: h, BytesIn: delta(t.BytesIn, p.BytesIn),
			BytesOut: delta(t.BytesOut, p.BytesOut), PacketsIn: delta(t.PacketsIn, p.PacketsIn),
			PacketsOut: delta(t.PacketsOut, p.PacketsOut)})
		b.prev.disc = t
	}
	if b.src.App != nil {
		out.add(TypeAppBytes, b.appBytes(h, b.src.App()))
	}
	if b.src.Slots != nil {
		out.add(TypeSlotOccupancy, b.slotOccupancy(h, b.src.Slots()))
	}
	b.prevAt = now
	return out.items, out.err
}

// itemList numbers and encodes items, keeping the first error.
type itemList struct {
	items []Item
	err   error
}

func (l *itemList) add(t Type, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		if l.err == nil {
			l.err = fmt.Errorf("telemetry: encoding %s: %w", t, err)
		}
		return
	}
	l.items = append(l.items, Item{ID: len(l.items) + 1, Type: t, Data: data})
}

// delta is what a cumulative counter gained; a counter that went down
// restarted from zero.
func delta(now, prev uint64) uint64 {
	if now < prev {
		return now
	}
	return now - prev
}
