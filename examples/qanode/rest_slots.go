package main

import (
	"cmp"
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// slotsJSON is GET /slots: the connection budget and how it is used, from
// the gater's state (budget, service pools, ledger) and the host's
// connections (per address prefix).
type slotsJSON struct {
	Budget      budgetJSON        `json:"budget"`
	Connections connectionsJSON   `json:"connections"`
	Services    []serviceSlotJSON `json:"services"`
	Prefixes    prefixesJSON      `json:"prefixes"`
	// Refused counts connections the gater refused or closed, by reason
	// (every reason, zeros included, so that a tool sees the full set).
	Refused map[string]uint64 `json:"refused"`
}

type budgetJSON struct {
	MaxConnections int            `json:"maxConnections"`
	RelayInbound   int            `json:"relayInbound"`
	RelayOutbound  int            `json:"relayOutbound"`
	Reserved       map[string]int `json:"reserved"`
	Spare          int            `json:"spare"`
	InboundLimit   int            `json:"inboundLimit"`
	DialLimit      int            `json:"dialLimit"`
}

// connectionsJSON counts connected peers by budget class.
type connectionsJSON struct {
	Total   int            `json:"total"`
	ByClass map[string]int `json:"byClass"`
}

// serviceSlotJSON is one service pool: its reserved slots, the leases in
// use and its counters.
type serviceSlotJSON struct {
	Service      string            `json:"service"`
	Capacity     int               `json:"capacity"`
	InUse        int               `json:"inUse"`
	Free         int               `json:"free"`
	MaxPerPeer   int               `json:"maxPerPeer"`
	MaxPerPrefix int               `json:"maxPerPrefix"`
	LeaseTTL     string            `json:"leaseTTL"`
	Admitted     uint64            `json:"admitted"`
	Released     uint64            `json:"released"`
	Expired      uint64            `json:"expired"`
	Rejected     map[string]uint64 `json:"rejected"`
	// Prefixes are the live leases per client address prefix (the one
	// MaxPerPrefix caps), most first.
	Prefixes []prefixLeasesJSON `json:"prefixes"`
}

type prefixLeasesJSON struct {
	Prefix string `json:"prefix"`
	Leases int    `json:"leases"`
}

// prefixesJSON is the colocation view: connected peers grouped by address
// prefix, with the cap on inbound peers per prefix (-colocation-limit).
type prefixesJSON struct {
	InboundLimit  int          `json:"inboundLimit"` // 0: no limit
	IPv4PrefixLen int          `json:"ipv4PrefixLen"`
	IPv6PrefixLen int          `json:"ipv6PrefixLen"`
	Groups        []prefixJSON `json:"groups"`
}

type prefixJSON struct {
	Prefix   string `json:"prefix"`
	Inbound  int    `json:"inbound"`
	Outbound int    `json:"outbound"`
	AtLimit  bool   `json:"atLimit"`
}

// getSlots answers GET /slots.
func (n *Node) getSlots(w http.ResponseWriter, _ *http.Request) {
	now := time.Now()
	st := n.gater.Stats(now)
	b := st.Budget
	out := slotsJSON{
		Budget: budgetJSON{MaxConnections: b.MaxConnections, RelayInbound: b.RelayInbound, RelayOutbound: b.RelayOutbound,
			Reserved: map[string]int{}, Spare: b.Spare(), InboundLimit: b.InboundLimit(), DialLimit: b.DialLimit()},
		Connections: connectionsJSON{ByClass: map[string]int{}},
		Services:    []serviceSlotJSON{},
		Refused:     map[string]uint64{},
	}
	for _, s := range slots.Services() {
		out.Budget.Reserved[s.String()] = b.Reserved.Of(s)
	}
	for c := slots.ClassPending; c <= slots.ClassClosing; c++ {
		out.Connections.ByClass[c.String()] = st.Ledger.Peers[c]
		out.Connections.Total += st.Ledger.Peers[c]
	}
	for _, r := range slots.Refusals() {
		out.Refused[r.String()] = st.Ledger.Refused[r]
	}
	for _, ps := range st.Pools {
		out.Services = append(out.Services, n.serviceSlot(ps, now))
	}
	out.Prefixes = n.prefixGroups()
	writeJSON(w, http.StatusOK, out)
}

func (n *Node) serviceSlot(ps slots.PoolStats, now time.Time) serviceSlotJSON {
	s := serviceSlotJSON{Service: ps.Service.String(), Capacity: ps.Capacity, InUse: ps.InUse, Free: max(0, ps.Capacity-ps.InUse),
		Admitted: ps.Admitted, Released: ps.Released, Expired: ps.Expired, Rejected: map[string]uint64{}, Prefixes: []prefixLeasesJSON{}}
	if p := n.gater.Pool(ps.Service); p != nil {
		s.MaxPerPeer, s.MaxPerPrefix, s.LeaseTTL = p.MaxPerPeer(), p.MaxPerPrefix(), p.TTL().String()
		for _, pl := range p.AppendPrefixLeases(nil, now) {
			s.Prefixes = append(s.Prefixes, prefixLeasesJSON{Prefix: pl.Prefix.String(), Leases: pl.Leases})
		}
	}
	for _, r := range slots.Reasons() {
		s.Rejected[r.String()] = ps.Rejected[r]
	}
	return s
}

// prefixGroups groups the connected peers by the prefix the gater's
// colocation limit counts in (qanode builds its gater with the default
// prefix lengths, newHostParts). A peer with several connections counts
// once, in the group of its first connection.
func (n *Node) prefixGroups() prefixesJSON {
	out := prefixesJSON{InboundLimit: n.cfg.colocate, IPv4PrefixLen: gater.DefaultColocationIPv4PrefixLen,
		IPv6PrefixLen: gater.DefaultColocationIPv6PrefixLen, Groups: []prefixJSON{}}
	groups := map[netip.Prefix]*prefixJSON{}
	for _, id := range n.host.Network().Peers() {
		conns := n.host.Network().ConnsToPeer(id)
		if len(conns) == 0 {
			continue
		}
		ip, err := manet.ToIP(conns[0].RemoteMultiaddr())
		if err != nil {
			continue
		}
		addr, ok := netip.AddrFromSlice(ip)
		if !ok {
			continue
		}
		addr = addr.Unmap()
		bits := out.IPv6PrefixLen
		if addr.Is4() {
			bits = out.IPv4PrefixLen
		}
		pfx, err := addr.Prefix(bits)
		if err != nil {
			continue
		}
		g := groups[pfx]
		if g == nil {
			g = &prefixJSON{Prefix: pfx.String()}
			groups[pfx] = g
		}
		if conns[0].Stat().Direction == network.DirInbound {
			g.Inbound++
		} else {
			g.Outbound++
		}
	}
	for _, g := range groups {
		g.AtLimit = out.InboundLimit > 0 && g.Inbound >= out.InboundLimit
		out.Groups = append(out.Groups, *g)
	}
	slices.SortFunc(out.Groups, func(a, b prefixJSON) int {
		return cmp.Or(cmp.Compare(b.Inbound+b.Outbound, a.Inbound+a.Outbound), cmp.Compare(a.Prefix, b.Prefix))
	})
	return out
}
