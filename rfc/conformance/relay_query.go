package conformance

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// Query answers a query line of the relay suite (conformance/README.md).
func (d *relayDriver) Query(now time.Time, c Command) (string, error) {
	if err := d.ensureCore(); err != nil {
		return "", err
	}
	switch c.Name {
	case "peers", "outbound", "floor", "discovery-requests":
		return d.shardQuery(c)
	case "shards-below-floor", "shards-under":
		return d.floorQuery(c)
	case "relay-total", "relay-in", "relay-out", "connected":
		return d.countQuery(c), nil
	case "book":
		return strconv.Itoa(d.core.Book().Len()), nil
	case "dials":
		return strconv.Itoa(d.core.DialsInFlight()), nil
	case "next-tick":
		return d.core.NextTick().String(), nil
	case "known", "state", "failures", "backoff", "cooldown", "protected", "origin", "shards":
		return d.peerQuery(now, c)
	}
	return "", fmt.Errorf("relay query %q: %w", c.Name, ErrUnsupported)
}

// shardQuery answers the queries about one shard.
func (d *relayDriver) shardQuery(c Command) (string, error) {
	s, err := d.shardArg(c, 0)
	if err != nil {
		return "", err
	}
	total, out := d.core.ConnectedOnShard(s)
	switch c.Name {
	case "peers":
		return strconv.Itoa(total), nil
	case "outbound":
		return strconv.Itoa(out), nil
	case "floor":
		return strconv.Itoa(d.core.Floor(s)), nil
	}
	return strconv.FormatUint(d.core.DiscoveryRequests(s), 10), nil
}

// floorQuery counts the subscribed shards below their floor or, for
// shards-under N, with fewer than N connected relay peers, whatever the
// preset's own floor.
func (d *relayDriver) floorQuery(c Command) (string, error) {
	limit := -1
	if c.Name == "shards-under" {
		v, err := c.Arg(0)
		if err != nil {
			return "", err
		}
		if limit, err = strconv.Atoi(v); err != nil {
			return "", err
		}
	}
	n := 0
	sub := d.core.Subscribed()
	for s, ok := sub.Next(0); ok; s, ok = sub.Next(s + 1) {
		shard := shardmesh.Shard{Cluster: d.cfg.Cluster, Index: s}
		floor := limit
		if floor < 0 {
			floor = d.core.Floor(shard)
		}
		if total, _ := d.core.ConnectedOnShard(shard); total < floor {
			n++
		}
	}
	return strconv.Itoa(n), nil
}

// countQuery counts connected peers: relay peers in total, inbound or
// outbound, or every connected peer.
func (d *relayDriver) countQuery(c Command) string {
	b := d.core.Book()
	relayRef := b.MustProtocol(protocols.Relay)
	conn := b.ConnectedPeers()
	total, in, out := 0, 0, 0
	for i := range conn.Len() {
		p := conn.At(i)
		if c.Name != "connected" && !p.Supports(relayRef) {
			continue
		}
		total++
		if p.Direction() == book.Outbound {
			out++
		} else {
			in++
		}
	}
	return strconv.Itoa(map[string]int{"relay-total": total, "connected": total, "relay-in": in, "relay-out": out}[c.Name])
}

// peerQuery answers the queries about one peer's record and the core's
// state of it.
func (d *relayDriver) peerQuery(now time.Time, c Command) (string, error) {
	s, err := c.Arg(0)
	if err != nil {
		return "", err
	}
	p := d.core.Book().Get(peerid.ID(s))
	if c.Name == "known" {
		return strconv.FormatBool(p != nil), nil
	}
	if p == nil {
		return "", fmt.Errorf("peer %s is not in the book", s)
	}
	switch c.Name {
	case "state":
		return p.Connectedness().String(), nil
	case "failures":
		return strconv.Itoa(p.DialFailures()), nil
	case "backoff":
		return max(p.BackoffUntil().Sub(now), 0).String(), nil
	case "cooldown":
		return strconv.FormatBool(d.core.InPruneCooldown(p.ID(), now)), nil
	case "protected":
		return strconv.FormatBool(d.core.Protected(p.ID())), nil
	case "origin":
		return p.Origin().String(), nil
	}
	set, src := p.Shards()
	return set.String() + "/" + src.String(), nil
}

func parseShards(s string) (shardmesh.ShardSet, error) {
	var set shardmesh.ShardSet
	list, err := ParseIntList(s)
	if err != nil {
		return set, err
	}
	for _, v := range list {
		if v < 0 || v > shardmesh.MaxShardIndex {
			return set, &shardmesh.IndexRangeError{Index: uint64(v)}
		}
		set.Add(uint16(v))
	}
	return set, nil
}

func parseIP(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, nil
	}
	return netip.ParseAddr(s)
}

var protocolNames = map[string]string{
	"relay": protocols.Relay, "store": protocols.Store,
	"filter": protocols.FilterSubscribe, "lightpush": protocols.LightPush,
	"px": protocols.PeerExchange, "metadata": protocols.Metadata,
	"lightpush2": protocols.LightPushLegacy,
}

func parseProtocols(s string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(s, ",") {
		if name == "" || name == "none" {
			continue
		}
		id, ok := protocolNames[name]
		if !ok {
			id = name // a full protocol id
		}
		out = append(out, id)
	}
	return out, nil
}

func parseCaps(s string) (shardmesh.Capabilities, error) {
	bits := map[string]shardmesh.Capabilities{"relay": shardmesh.CapRelay, "store": shardmesh.CapStore,
		"filter": shardmesh.CapFilter, "lightpush": shardmesh.CapLightPush, "sync": shardmesh.CapSync}
	var c shardmesh.Capabilities
	for _, name := range strings.Split(s, ",") {
		if name == "" || name == "none" {
			continue
		}
		b, ok := bits[name]
		if !ok {
			return 0, fmt.Errorf("unknown capability %q", name)
		}
		c |= b
	}
	return c, nil
}

func parseHealth(s string, err error) (shardmesh.Health, error) {
	if err != nil {
		return 0, err
	}
	switch s {
	case "unhealthy":
		return shardmesh.Unhealthy, nil
	case "minimally":
		return shardmesh.MinimallyHealthy, nil
	case "sufficiently":
		return shardmesh.SufficientlyHealthy, nil
	}
	return 0, fmt.Errorf("health is unhealthy, minimally or sufficiently")
}
