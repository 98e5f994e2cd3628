package telemetry

import (
	"cmp"
	"slices"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
)

// FilterPush is the protocol on which a filter server pushes messages to
// its clients (12/WAKU2-FILTER, "/vac/waku/filter-push/2.0.0-beta1"); the
// protocols package names only what the peer manager dials.
const FilterPush = "/vac/waku/filter-push/2.0.0-beta1"

// statusProtocols maps ProtocolStats' five figures to libp2p protocol ids.
var statusProtocols = [5][]string{
	{protocols.Relay},
	{protocols.Store},
	{FilterPush},
	{protocols.FilterSubscribe},
	{protocols.LightPush, protocols.LightPushLegacy},
}

func (b *Builder) protocolStats(snap metrics.BandwidthSnapshot, interval float64) ProtocolStats {
	var m [5]Metric
	for i, ids := range statusProtocols {
		var din, dout uint64
		for _, p := range snap.Protocols {
			if !slices.Contains(ids, p.Protocol) {
				continue
			}
			d := delta(p.Bytes, b.prev.streams[streamKey{p.Protocol, p.Direction}])
			switch p.Direction {
			case metrics.DirectionIn:
				m[i].TotalIn += int64(p.Bytes)
				din += d
			case metrics.DirectionOut:
				m[i].TotalOut += int64(p.Bytes)
				dout += d
			}
		}
		if interval > 0 {
			m[i].RateIn, m[i].RateOut = float64(din)/interval, float64(dout)/interval
		}
	}
	return ProtocolStats{PeerID: b.rec.PeerID, Relay: m[0], Store: m[1], FilterPush: m[2],
		FilterSubscribe: m[3], Lightpush: m[4]}
}

func (b *Builder) protocolBytes(h Header, snap metrics.BandwidthSnapshot) ProtocolBytes {
	item := ProtocolBytes{Header: h, Rows: []ProtocolRow{}}
	for _, p := range snap.Protocols {
		k := streamKey{p.Protocol, p.Direction}
		d := delta(p.Bytes, b.prev.streams[k])
		b.prev.streams[k] = p.Bytes
		if d == 0 || p.Direction > metrics.DirectionIn {
			continue
		}
		// Protocols are sorted, then directions: a protocol's rows are
		// adjacent.
		if n := len(item.Rows); n == 0 || item.Rows[n-1].Protocol != p.Protocol {
			item.Rows = append(item.Rows, ProtocolRow{Protocol: p.Protocol})
		}
		row := &item.Rows[len(item.Rows)-1]
		if p.Direction == metrics.DirectionIn {
			row.BytesIn = d
		} else {
			row.BytesOut = d
		}
	}
	return item
}

// statusCause maps a relay.DialCause to Status's DialErrorType.
func statusCause(c relay.DialCause) DialErrorType {
	switch c {
	case relay.CauseTimeout:
		return DialErrorIOTimeout
	case relay.CauseRefused:
		return DialErrorConnectionRefused
	case relay.CauseSecurity:
		return DialErrorSecurityNegotiation
	case relay.CauseBackoff:
		return DialErrorDialBackoff
	}
	return DialErrorUnknown
}

func (b *Builder) dialFailures(out *itemList, h Header, causes [relay.NumDialCauses]uint64) {
	for c, n := range causes {
		if d := delta(n, b.prev.causes[c]); d > 0 {
			cause := relay.DialCause(c)
			out.add(TypeDialFailure, DialFailure{Record: b.rec, ErrorType: statusCause(cause),
				ErrorMsg: cause.String(), Protocols: protocols.Relay, Timestamp: h.Timestamp, Count: d})
		}
	}
	b.prev.causes = causes
}

// statusOrigin maps a book.Origin index to Status's Origin (inbound peers
// have no origin there).
func statusOrigin(o int) Origin {
	switch book.Origin(o) {
	case book.OriginStatic:
		return OriginStatic
	case book.OriginDiscv5:
		return OriginDiscv5
	case book.OriginPeerExchange:
		return OriginPeerExchange
	}
	return OriginUnknown
}

func (b *Builder) shardHealth(h Header, rs *relay.Snapshot, mesh []shardmesh.ShardHealth) ShardHealth {
	rows := map[shardmesh.Shard]*ShardRow{}
	row := func(s shardmesh.Shard) *ShardRow {
		r := rows[s]
		if r == nil {
			r = &ShardRow{Cluster: int(s.Cluster), Shard: int(s.Index)}
			rows[s] = r
		}
		return r
	}
	for _, m := range mesh {
		r := row(m.Shard)
		r.Health, r.MeshPeers = m.Health.String(), m.MeshPeers
		r.OutboundMeshPeers, r.LowScoreMeshPeers = m.OutboundMeshPeers, m.LowScoreMeshPeers
	}
	if rs != nil {
		for _, s := range rs.Shards {
			r := row(s.Shard)
			r.Inbound, r.Outbound, r.Floor, r.Known = s.Inbound, s.Outbound, s.Floor, s.Known
			p := b.prev.dials[s.Shard]
			r.Dials, r.DialFailures = delta(s.Dials, p[0]), delta(s.DialFailures, p[1])
			b.prev.dials[s.Shard] = [2]uint64{s.Dials, s.DialFailures}
		}
	}
	item := ShardHealth{Header: h, Rows: make([]ShardRow, 0, len(rows))}
	for _, r := range rows {
		item.Rows = append(item.Rows, *r)
	}
	slices.SortFunc(item.Rows, func(x, y ShardRow) int {
		return cmp.Or(cmp.Compare(x.Cluster, y.Cluster), cmp.Compare(x.Shard, y.Shard))
	})
	return item
}

func (b *Builder) gossipBytes(h Header, snap metrics.BandwidthSnapshot) GossipBytes {
	item := GossipBytes{Header: h, Rows: []GossipRow{}}
	for _, g := range snap.Gossip {
		k := gossipKey{g.Direction, g.Type, g.Shard, g.HasShard}
		p := b.prev.gossip[k]
		db, de := delta(g.Bytes, p[0]), delta(g.Entries, p[1])
		b.prev.gossip[k] = [2]uint64{g.Bytes, g.Entries}
		if db == 0 && de == 0 {
			continue
		}
		r := GossipRow{Direction: g.Direction.String(), MessageType: g.Type.String(), Bytes: db, Entries: de}
		if g.HasShard {
			c, s := int(g.Shard.Cluster), int(g.Shard.Index)
			r.Cluster, r.Shard = &c, &s
		}
		item.Rows = append(item.Rows, r)
	}
	return item
}

func (b *Builder) appBytes(h Header, snap []metrics.AppBytes) AppBytes {
	item := AppBytes{Header: h, Rows: []AppRow{}}
	for _, a := range snap {
		p := b.prev.app[a.Name]
		din, dout := delta(a.BytesIn, p[0]), delta(a.BytesOut, p[1])
		b.prev.app[a.Name] = [2]uint64{a.BytesIn, a.BytesOut}
		if din > 0 || dout > 0 {
			item.Rows = append(item.Rows, AppRow{Name: a.Name, BytesIn: din, BytesOut: dout})
		}
	}
	return item
}

func (b *Builder) slotOccupancy(h Header, st slots.Stats) SlotOccupancy {
	item := SlotOccupancy{Header: h, Peers: map[string]int{}}
	for i, p := range st.Pools {
		var rej uint64
		for _, n := range p.Rejected {
			rej += n
		}
		item.Services = append(item.Services, ServiceSlots{Service: slots.Service(i).String(),
			Capacity: p.Capacity, InUse: p.InUse, Admitted: delta(p.Admitted, b.prev.slotAdm[i]),
			Rejected: delta(rej, b.prev.slotRej[i])})
		b.prev.slotAdm[i], b.prev.slotRej[i] = p.Admitted, rej
	}
	for c, n := range st.Ledger.Peers {
		if c > 0 {
			item.Peers[slots.Class(c).String()] = n
		}
	}
	return item
}
