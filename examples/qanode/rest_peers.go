package main

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
)

type peermanagerShard = relay.ShardSnapshot

// shardCountJSON is a relay.ShardCount as the REST API has always written
// it: the shard's index in the node's cluster.
type shardCountJSON struct {
	Shard uint16
	Count uint64
}

type peerJSON struct {
	PeerID     string   `json:"peerId"`
	Addrs      []string `json:"addrs"`
	Direction  string   `json:"direction"`
	Class      string   `json:"class"`
	MeshShards []uint16 `json:"meshShards"`
}

type relayShardJSON struct {
	Shard       uint16 `json:"shard"`
	Inbound     int    `json:"inbound"`
	Outbound    int    `json:"outbound"`
	Floor       int    `json:"floor"`
	Health      string `json:"health,omitempty"`
	HealthKnown bool   `json:"healthKnown"`
}

type slotJSON struct {
	Service  string `json:"service"`
	Capacity int    `json:"capacity"`
	InUse    int    `json:"inUse"`
}

type peersJSON struct {
	Policy        string            `json:"policy"`
	Cluster       uint16            `json:"cluster"`
	BookSize      int               `json:"bookSize"`
	RelayInbound  int               `json:"relayInbound"`
	RelayOutbound int               `json:"relayOutbound"`
	Shards        []relayShardJSON  `json:"shards"`
	Dials         map[string]uint64 `json:"dials"`
	Disconnects   map[string]uint64 `json:"disconnects"`
	Budget        map[string]int    `json:"budget"`
	Slots         []slotJSON        `json:"slots"`
	PeersByClass  map[string]int    `json:"peersByClass"`
	Connected     []peerJSON        `json:"connected"`
	Refused       map[string]uint64 `json:"connectionsRefused"`
	Discovery     []shardCountJSON  `json:"discoveryRequests"`
}

// getPeers: the relay peer manager's snapshot, the connection budget and
// slots, and every connected peer with its direction, budget class and the
// shards on which it is in our mesh.
func (n *Node) getPeers(w http.ResponseWriter, _ *http.Request) {
	snap := n.manager.Snapshot()
	st := n.gater.Stats(time.Now())
	out := peersJSON{
		Policy: snap.Name, Cluster: snap.Cluster, BookSize: snap.BookSize,
		RelayInbound: snap.RelayInbound, RelayOutbound: snap.RelayOutbound,
		Shards: []relayShardJSON{}, Connected: []peerJSON{}, Slots: []slotJSON{},
		Dials: map[string]uint64{"started": snap.Stats.DialsStarted, "succeeded": snap.Stats.DialsSucceeded,
			"failed": snap.Stats.DialsFailed, "expired": snap.Stats.DialsExpired},
		Disconnects: map[string]uint64{},
		Budget: map[string]int{"max": st.Budget.MaxConnections, "relayInbound": st.Budget.RelayInbound,
			"relayOutbound": st.Budget.RelayOutbound, "spare": st.Budget.Spare()},
		PeersByClass: map[string]int{}, Refused: map[string]uint64{}, Discovery: []shardCountJSON{},
	}
	for _, d := range snap.Discovery {
		out.Discovery = append(out.Discovery, shardCountJSON{Shard: d.Shard.Index, Count: d.Count})
	}
	for _, s := range snap.Shards {
		rs := relayShardJSON{Shard: s.Shard.Index, Inbound: s.Inbound, Outbound: s.Outbound, Floor: s.Floor, HealthKnown: s.HealthKnown}
		if s.HealthKnown {
			rs.Health = s.Health.String()
		}
		out.Shards = append(out.Shards, rs)
	}
	for _, r := range relay.DisconnectReasons() {
		if c := snap.Stats.Disconnects[r]; c > 0 {
			out.Disconnects[r.String()] = c
		}
	}
	for _, p := range st.Pools {
		if p.Capacity > 0 || p.InUse > 0 {
			out.Slots = append(out.Slots, slotJSON{Service: p.Service.String(), Capacity: p.Capacity, InUse: p.InUse})
		}
	}
	for c, count := range st.Ledger.Peers {
		if c > 0 && count > 0 {
			out.PeersByClass[slots.Class(c).String()] = count
		}
	}
	for r, count := range st.Ledger.Refused {
		if count > 0 {
			out.Refused[slots.Refusal(r).String()] = count
		}
	}
	var mesh []shardmesh.Shard
	for _, id := range n.host.Network().Peers() {
		p := peerJSON{PeerID: id.String(), Addrs: []string{}, Direction: "inbound", Class: n.gater.Class(id).String(), MeshShards: []uint16{}}
		for _, c := range n.host.Network().ConnsToPeer(id) {
			p.Addrs = append(p.Addrs, c.RemoteMultiaddr().String())
			if c.Stat().Direction == network.DirOutbound {
				p.Direction = "outbound"
			}
		}
		mesh = n.tracker.AppendPeerShards(mesh[:0], peerid.ID(id))
		for _, s := range mesh {
			if s.Cluster == n.cfg.cluster {
				p.MeshShards = append(p.MeshShards, s.Index)
			}
		}
		slices.Sort(p.MeshShards)
		out.Connected = append(out.Connected, p)
	}
	slices.SortFunc(out.Connected, func(a, b peerJSON) int { return strings.Compare(a.PeerID, b.PeerID) })
	writeJSON(w, http.StatusOK, out)
}
