package main

import (
	"net/http"
	"slices"
	"time"

	"github.com/wakupm/wakupm/metrics"
)

// bandwidthJSON is GET /bandwidth: the bytes counted since the node
// started (the same counters as wakupm_gossipsub_bytes_total and
// wakupm_protocol_bytes_total on /metrics), as JSON. A reader takes two
// answers and divides the difference by the difference of At for a rate;
// the node page does that every few seconds.
type bandwidthJSON struct {
	At            time.Time `json:"at"`
	UptimeSeconds float64   `json:"uptimeSeconds"`
	// Gossip is gossipsub's bytes by direction ("in", "out", "dropped").
	Gossip    map[string]gossipDirectionJSON `json:"gossip"`
	Protocols []protocolBytesJSON            `json:"protocols"`
}

// gossipDirectionJSON splits one direction's gossipsub bytes: data
// (full messages) against control (IHAVE, IWANT, GRAFT, PRUNE, IDONTWANT),
// subscriptions and overhead, then by type and by shard.
type gossipDirectionJSON struct {
	Total        uint64            `json:"total"`
	Data         uint64            `json:"data"`
	Control      uint64            `json:"control"`
	Other        uint64            `json:"other"` // subscriptions and RPC overhead
	ByType       map[string]uint64 `json:"byType"`
	ByShard      []shardBytesJSON  `json:"byShard"`
	Unattributed uint64            `json:"unattributed"` // bytes of no shard
}

type shardBytesJSON struct {
	Shard uint16 `json:"shard"`
	Bytes uint64 `json:"bytes"`
}

type protocolBytesJSON struct {
	Protocol  string `json:"protocol"`
	Direction string `json:"direction"`
	Bytes     uint64 `json:"bytes"`
}

// getBandwidth answers GET /bandwidth.
func (n *Node) getBandwidth(w http.ResponseWriter, _ *http.Request) {
	now := time.Now()
	snap := n.bandwidth.BandwidthSnapshot().Merge(n.parts.bandwidth.BandwidthSnapshot())
	out := bandwidthJSON{At: now.UTC(), UptimeSeconds: now.Sub(n.started).Seconds(),
		Gossip: map[string]gossipDirectionJSON{}, Protocols: []protocolBytesJSON{}}
	for _, d := range []metrics.Direction{metrics.DirectionIn, metrics.DirectionOut, metrics.DirectionDropped} {
		out.Gossip[d.String()] = n.gossipDirection(snap, d)
	}
	for _, p := range snap.Protocols {
		out.Protocols = append(out.Protocols, protocolBytesJSON{Protocol: p.Protocol, Direction: p.Direction.String(), Bytes: p.Bytes})
	}
	writeJSON(w, http.StatusOK, out)
}

func (n *Node) gossipDirection(snap metrics.BandwidthSnapshot, d metrics.Direction) gossipDirectionJSON {
	g := gossipDirectionJSON{ByType: map[string]uint64{}, ByShard: []shardBytesJSON{}, Unattributed: snap.GossipUnattributed(d)}
	for t, b := range snap.GossipByType(d) {
		typ := metrics.MessageType(t)
		g.ByType[typ.String()] = b
		g.Total += b
		switch {
		case typ == metrics.TypeData:
			g.Data += b
		case typ.IsControl():
			g.Control += b
		default:
			g.Other += b
		}
	}
	for s, b := range snap.GossipByShard(d) {
		if s.Cluster == n.cfg.cluster {
			g.ByShard = append(g.ByShard, shardBytesJSON{Shard: s.Index, Bytes: b})
		}
	}
	slices.SortFunc(g.ByShard, func(a, b shardBytesJSON) int { return int(a.Shard) - int(b.Shard) })
	return g
}
