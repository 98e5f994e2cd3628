package conformance

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// RelaySuite drives peermanager.Core: the relay peer-management scenarios
// under scenarios/relay. Presets: wakupm, nwaku, nwaku-sharded, gowaku.
func RelaySuite() Suite {
	return Suite{
		Name:           "relay",
		DefaultPresets: []string{"wakupm"},
		NewDriver: func(preset string) (Driver, error) {
			mk, ok := peermanager.Presets()[preset]
			if !ok {
				return nil, fmt.Errorf("unknown relay preset %q", preset)
			}
			return &relayDriver{cfg: mk()}, nil
		},
	}
}

// relayDriver builds the core lazily so that "set" lines can change the
// config first.
type relayDriver struct {
	cfg      peermanager.Config
	capacity int
	mdTTL    *time.Duration
	core     *peermanager.Core
}

var _ Driver = (*relayDriver)(nil)

func (d *relayDriver) Configure(c Command) error {
	for k, v := range c.Opts {
		if err := d.set(k, v); err != nil {
			return fmt.Errorf("set %s=%s: %w", k, v, err)
		}
	}
	if len(c.Args) > 0 {
		return fmt.Errorf("set takes key=value options only, got %q", c.Args[0])
	}
	return nil
}

func (d *relayDriver) set(k, v string) error {
	cfg := &d.cfg
	ints := map[string]*int{
		"floor": &cfg.ShardFloor, "outbound-floor": &cfg.ShardOutboundFloor,
		"unhealthy-extra": &cfg.UnhealthyExtra, "in": &cfg.InboundTarget, "out": &cfg.OutboundTarget,
		"quota": &cfg.OutboundQuota, "max-dials": &cfg.MaxDialsInFlight, "sample": &cfg.CandidateSample,
		"colocation": &cfg.ColocationLimit, "discovery-batch": &cfg.DiscoveryBatch,
		"forget-after": &cfg.Backoff.ForgetAfter, "give-up-after": &cfg.Backoff.GiveUpAfter,
		"capacity": &d.capacity,
	}
	durs := map[string]*time.Duration{
		"dial-timeout": &cfg.DialTimeout, "grace": &cfg.PruneGrace, "cooldown": &cfg.PruneCooldown,
		"discovery-timeout": &cfg.DiscoveryTimeout, "tick": &cfg.TickInterval,
		"backoff-initial": &cfg.Backoff.Initial, "backoff-max": &cfg.Backoff.Max,
	}
	bools := map[string]*bool{
		"dial-on-events": &cfg.DialOnEvents, "dial-on-subscribe": &cfg.DialOnSubscribe, "protect": &cfg.ProtectFloorPeers,
		"on-demand-discovery": &cfg.OnDemandDiscovery, "discovery-dedup": &cfg.DiscoveryDedup,
		"reset-on-success": &cfg.Backoff.ResetOnSuccess, "reset-on-online": &cfg.Backoff.ResetOnOnline,
	}
	floats := map[string]*float64{"headroom": &cfg.DialHeadroom, "backoff-factor": &cfg.Backoff.Factor,
		"jitter": &cfg.Backoff.JitterFraction}
	if p, ok := ints[k]; ok {
		n, err := strconv.Atoi(v)
		*p = n
		return err
	}
	if p, ok := durs[k]; ok {
		dur, err := time.ParseDuration(v)
		*p = dur
		return err
	}
	if p, ok := bools[k]; ok {
		b, err := strconv.ParseBool(v)
		*p = b
		return err
	}
	if p, ok := floats[k]; ok {
		f, err := strconv.ParseFloat(v, 64)
		*p = f
		return err
	}
	switch k {
	case "metadata-ttl":
		dur, err := time.ParseDuration(v)
		d.mdTTL = &dur
		return err
	case "cluster":
		n, err := strconv.ParseUint(v, 10, 16)
		cfg.Cluster = uint16(n)
		return err
	case "seed":
		n, err := strconv.ParseUint(v, 10, 64)
		cfg.Seed = n
		return err
	case "jitter-mode":
		modes := map[string]peermanager.JitterMode{"none": peermanager.JitterNone,
			"proportional": peermanager.JitterProportional, "full": peermanager.JitterFull}
		m, ok := modes[v]
		if !ok {
			return fmt.Errorf("jitter-mode is none, proportional or full")
		}
		cfg.Backoff.Jitter = m
		return nil
	}
	return fmt.Errorf("unknown setting")
}

func (d *relayDriver) ensureCore() error {
	if d.core != nil {
		return nil
	}
	var opts []book.Option
	if d.capacity > 0 {
		opts = append(opts, book.WithCapacity(d.capacity))
	}
	if d.mdTTL != nil {
		opts = append(opts, book.WithMetadataTTL(*d.mdTTL))
	}
	c, err := peermanager.NewCore(d.cfg, opts...)
	d.core = c
	return err
}

func (d *relayDriver) Exec(now time.Time, c Command) ([]string, error) {
	if err := d.ensureCore(); err != nil {
		return nil, err
	}
	ev, err := d.event(c)
	if err != nil {
		return nil, fmt.Errorf("line %d: %w", c.Line, err)
	}
	var out []string
	for _, a := range d.core.Step(now, ev) {
		out = append(out, a.String())
	}
	return out, nil
}

func (d *relayDriver) event(c Command) (peermanager.Event, error) {
	id := func() (peerid.ID, error) {
		s, err := c.Arg(0)
		return peerid.ID(s), err
	}
	shard := func() (uint16, error) {
		s, err := c.Arg(0)
		if err != nil {
			return 0, err
		}
		n, err := strconv.ParseUint(s, 10, 16)
		return uint16(n), err
	}
	switch c.Name {
	case "tick":
		return peermanager.Tick{}, nil
	case "subscribe", "unsubscribe", "discovery-done":
		s, err := shard()
		switch c.Name {
		case "subscribe":
			return peermanager.Subscribed{Shard: s}, err
		case "unsubscribe":
			return peermanager.Unsubscribed{Shard: s}, err
		}
		return peermanager.DiscoveryDone{Shard: s}, err
	case "health":
		s, err := shard()
		if err != nil {
			return nil, err
		}
		h, err := parseHealth(c.Arg(1))
		return peermanager.HealthChanged{Shard: s, Health: h}, err
	case "online", "offline":
		return peermanager.OnlineChanged{Online: c.Name == "online"}, nil
	case "targets":
		in, err1 := strconv.Atoi(c.Opt("in", ""))
		out, err2 := strconv.Atoi(c.Opt("out", ""))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("targets needs in=N out=N")
		}
		return peermanager.TargetsChanged{Inbound: in, Outbound: out}, nil
	}
	p, err := id()
	if err != nil {
		return nil, err
	}
	switch c.Name {
	case "discovered":
		return d.discovered(p, c)
	case "connected":
		dir, err := c.Arg(1)
		if err != nil {
			return nil, err
		}
		ev := peermanager.PeerConnected{ID: p, Direction: book.Inbound}
		switch dir {
		case "in":
		case "out":
			ev.Direction = book.Outbound
		default:
			return nil, fmt.Errorf("connected <peer> in|out")
		}
		ev.IP, err = parseIP(c.Opt("ip", ""))
		return ev, err
	case "disconnected":
		return peermanager.PeerDisconnected{ID: p}, nil
	case "identified":
		list, _ := c.Arg(1)
		protos, err := parseProtocols(list)
		return peermanager.PeerIdentified{ID: p, Protocols: protos}, err
	case "metadata":
		cluster, err := strconv.ParseUint(c.Opt("cluster", strconv.Itoa(int(d.cfg.Cluster))), 10, 16)
		if err != nil {
			return nil, err
		}
		set, err := parseShards(c.Opt("shards", ""))
		return peermanager.MetadataReceived{ID: p, Cluster: uint16(cluster), Shards: set}, err
	case "metadata-failed":
		return peermanager.MetadataFailed{ID: p}, nil
	case "announced":
		set, err := parseShards(c.Opt("shards", ""))
		return peermanager.TopicsAnnounced{ID: p, Shards: set}, err
	case "dial-ok":
		return peermanager.DialSucceeded{ID: p}, nil
	case "dial-failed":
		return peermanager.DialFailed{ID: p}, nil
	case "rtt":
		v, err := c.Arg(1)
		if err != nil {
			return nil, err
		}
		rtt, err := time.ParseDuration(v)
		return peermanager.RTTMeasured{ID: p, RTT: rtt}, err
	case "service":
		v, _ := c.Arg(1)
		return peermanager.ServicePeerChanged{ID: p, InUse: v != "off"}, nil
	}
	return nil, fmt.Errorf("unknown relay event %q", c.Name)
}

// discovered builds a PeerDiscovered; shards without caps mean a relay
// node's ENR.
func (d *relayDriver) discovered(id peerid.ID, c Command) (peermanager.Event, error) {
	dp, err := parseDiscovered(id, c, d.cfg.Cluster, shardmesh.CapRelay)
	return peermanager.PeerDiscovered{Peer: dp}, err
}

// parseDiscovered reads the options of a "discovered" line of either suite:
// shards=, cluster= or caps= mean the peer came with an ENR (shards without
// caps= get enrCaps, the capabilities of the suite's typical node); origin=
// is discv5 (default), px or static; ip= is the peer's address. The cluster
// defaults to ours.
func parseDiscovered(id peerid.ID, c Command, ours uint16, enrCaps shardmesh.Capabilities) (book.DiscoveredPeer, error) {
	dp := book.DiscoveredPeer{ID: id, Origin: book.OriginDiscv5, Cluster: ours}
	switch c.Opt("origin", "discv5") {
	case "discv5":
	case "px":
		dp.Origin = book.OriginPeerExchange
	case "static":
		dp.Origin = book.OriginStatic
	default:
		return dp, fmt.Errorf("origin is discv5, px or static")
	}
	if v, ok := c.Opts["cluster"]; ok {
		n, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return dp, err
		}
		dp.Cluster, dp.HasENR = uint16(n), true
	}
	if v, ok := c.Opts["shards"]; ok {
		set, err := parseShards(v)
		if err != nil {
			return dp, err
		}
		dp.Shards, dp.HasShards, dp.HasENR, dp.Caps = set, true, true, enrCaps
	}
	if v, ok := c.Opts["caps"]; ok {
		caps, err := parseCaps(v)
		if err != nil {
			return dp, err
		}
		dp.Caps, dp.HasENR = caps, true
	}
	var err error
	dp.IP, err = parseIP(c.Opt("ip", ""))
	return dp, err
}

func (d *relayDriver) Query(now time.Time, c Command) (string, error) {
	if err := d.ensureCore(); err != nil {
		return "", err
	}
	core, b := d.core, d.core.Book()
	peerArg := func() (*book.Peer, error) {
		s, err := c.Arg(0)
		if err != nil {
			return nil, err
		}
		return b.Get(peerid.ID(s)), nil
	}
	shardArg := func() (uint16, error) {
		s, err := c.Arg(0)
		if err != nil {
			return 0, err
		}
		n, err := strconv.ParseUint(s, 10, 16)
		return uint16(n), err
	}
	itoa := strconv.Itoa
	switch c.Name {
	case "peers", "outbound", "floor", "discovery-requests":
		s, err := shardArg()
		if err != nil {
			return "", err
		}
		total, out := core.ConnectedOnShard(s)
		switch c.Name {
		case "peers":
			return itoa(total), nil
		case "outbound":
			return itoa(out), nil
		case "floor":
			return itoa(core.Floor(s)), nil
		}
		return strconv.FormatUint(core.DiscoveryRequests(s), 10), nil
	case "shards-below-floor", "shards-under":
		// shards-under N counts subscribed shards with fewer than N
		// connected relay peers, whatever the preset's own floor.
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
		sub := core.Subscribed()
		for s, ok := sub.Next(0); ok; s, ok = sub.Next(s + 1) {
			floor := limit
			if floor < 0 {
				floor = core.Floor(s)
			}
			if total, _ := core.ConnectedOnShard(s); total < floor {
				n++
			}
		}
		return itoa(n), nil
	case "relay-total", "relay-in", "relay-out", "connected":
		relay := b.MustProtocol(protocols.Relay)
		conn := b.ConnectedPeers()
		total, in, out := 0, 0, 0
		for i := range conn.Len() {
			p := conn.At(i)
			if c.Name != "connected" && !p.Supports(relay) {
				continue
			}
			total++
			if p.Direction() == book.Outbound {
				out++
			} else {
				in++
			}
		}
		return itoa(map[string]int{"relay-total": total, "connected": total, "relay-in": in, "relay-out": out}[c.Name]), nil
	case "book":
		return itoa(b.Len()), nil
	case "dials":
		return itoa(core.DialsInFlight()), nil
	case "next-tick":
		return core.NextTick().String(), nil
	case "known", "state", "failures", "backoff", "cooldown", "protected", "origin", "shards":
		p, err := peerArg()
		if err != nil {
			return "", err
		}
		if c.Name == "known" {
			return strconv.FormatBool(p != nil), nil
		}
		if p == nil {
			return "", fmt.Errorf("peer %s is not in the book", c.Args[0])
		}
		switch c.Name {
		case "state":
			return p.Connectedness().String(), nil
		case "failures":
			return itoa(p.DialFailures()), nil
		case "backoff":
			return max(p.BackoffUntil().Sub(now), 0).String(), nil
		case "cooldown":
			return strconv.FormatBool(core.InPruneCooldown(p.ID(), now)), nil
		case "protected":
			return strconv.FormatBool(core.Protected(p.ID())), nil
		case "origin":
			return p.Origin().String(), nil
		}
		set, src := p.Shards()
		return set.String() + "/" + src.String(), nil
	}
	return "", fmt.Errorf("unknown relay query %q", c.Name)
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
