package conformance

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
)

// relayDriver builds the core lazily so that "set" lines can change the
// config first.
type relayDriver struct {
	cfg      relay.Config
	capacity int
	mdTTL    *time.Duration
	core     *relay.Core
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
		"topics-count-after":    &cfg.GossipsubTopicsCountAfter,
		"distrust-broad-claims": &cfg.DistrustBroadClaims,
		"dial-counts-for":       &cfg.DialCountsFor,
	}
	bools := map[string]*bool{
		"dial-on-events": &cfg.DialOnEvents, "dial-on-subscribe": &cfg.DialOnSubscribe, "protect": &cfg.ProtectFloorPeers,
		"on-demand-discovery": &cfg.OnDemandDiscovery, "discovery-dedup": &cfg.DiscoveryDedup,
		"reset-on-success": &cfg.Backoff.ResetOnSuccess, "reset-on-online": &cfg.Backoff.ResetOnOnline,
		"defer-failed-unseen": &cfg.DeferFailedUnseen,
	}
	floats := map[string]*float64{"headroom": &cfg.DialHeadroom, "backoff-factor": &cfg.Backoff.Factor,
		"jitter": &cfg.Backoff.JitterFraction}
	if p, ok := ints[k]; ok {
		n, err := strconv.Atoi(v)
		*p = n
		return err
	}
	if p, ok := durs[k]; ok {
		dur, err := parseDur(v)
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
		dur, err := parseDur(v)
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
		modes := map[string]relay.JitterMode{"none": relay.JitterNone,
			"proportional": relay.JitterProportional, "full": relay.JitterFull}
		m, ok := modes[v]
		if !ok {
			return fmt.Errorf("jitter-mode is none, proportional or full")
		}
		cfg.Backoff.Jitter = m
		return nil
	}
	return fmt.Errorf("unknown setting: %w", ErrUnsupported)
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
	c, err := relay.NewCore(d.cfg, opts...)
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
	for _, a := range d.core.Step(ev, now) {
		out = append(out, a.String())
	}
	return out, nil
}

// relayEvents are the event names of the relay vocabulary.
var relayEvents = []string{"tick", "subscribe", "unsubscribe", "discovery-done", "health", "online", "offline",
	"targets", "discovered", "connected", "disconnected", "identified", "metadata", "metadata-failed",
	"announced", "dial-ok", "dial-failed", "rtt", "service"}

func (d *relayDriver) event(c Command) (relay.Event, error) {
	if !slices.Contains(relayEvents, c.Name) {
		return nil, fmt.Errorf("relay event %q: %w", c.Name, ErrUnsupported)
	}
	if ev, ok, err := d.nodeEvent(c); ok || err != nil {
		return ev, err
	}
	s, err := c.Arg(0)
	if err != nil {
		return nil, err
	}
	return d.peerEvent(peerid.ID(s), c)
}

// shardArg reads argument i as a shard index of the driver's cluster.
func (d *relayDriver) shardArg(c Command, i int) (shardmesh.Shard, error) {
	s, err := c.Arg(i)
	if err != nil {
		return shardmesh.Shard{}, err
	}
	n, err := strconv.ParseUint(s, 10, 16)
	return shardmesh.Shard{Cluster: d.cfg.Cluster, Index: uint16(n)}, err
}

// nodeEvent builds the events about the node and its shards; ok is false
// for a peer event.
func (d *relayDriver) nodeEvent(c Command) (ev relay.Event, ok bool, err error) {
	switch c.Name {
	case "tick":
		return relay.Tick{}, true, nil
	case "subscribe", "unsubscribe", "discovery-done":
		s, err := d.shardArg(c, 0)
		switch c.Name {
		case "subscribe":
			return relay.Subscribed{Shard: s}, true, err
		case "unsubscribe":
			return relay.Unsubscribed{Shard: s}, true, err
		}
		return relay.DiscoveryDone{Shard: s}, true, err
	case "health":
		s, err := d.shardArg(c, 0)
		if err != nil {
			return nil, true, err
		}
		h, err := parseHealth(c.Arg(1))
		return relay.HealthChanged{Shard: s, Health: h}, true, err
	case "online", "offline":
		return relay.OnlineChanged{Online: c.Name == "online"}, true, nil
	case "targets":
		in, err1 := strconv.Atoi(c.Opt("in", ""))
		out, err2 := strconv.Atoi(c.Opt("out", ""))
		if err1 != nil || err2 != nil {
			return nil, true, fmt.Errorf("targets needs in=N out=N")
		}
		return relay.TargetsChanged{Inbound: in, Outbound: out}, true, nil
	}
	return nil, false, nil
}

// peerEvent builds the events about peer p.
func (d *relayDriver) peerEvent(p peerid.ID, c Command) (relay.Event, error) {
	switch c.Name {
	case "discovered":
		return d.discovered(p, c)
	case "connected":
		return d.connected(p, c)
	case "disconnected":
		return relay.PeerDisconnected{ID: p}, nil
	case "identified":
		list, _ := c.Arg(1)
		protos, err := parseProtocols(list)
		return relay.PeerIdentified{ID: p, Protocols: protos}, err
	case "metadata":
		cluster, err := strconv.ParseUint(c.Opt("cluster", strconv.Itoa(int(d.cfg.Cluster))), 10, 16)
		if err != nil {
			return nil, err
		}
		set, err := parseShards(c.Opt("shards", ""))
		return relay.MetadataReceived{ID: p, Cluster: uint16(cluster), Shards: set}, err
	case "metadata-failed":
		return relay.MetadataFailed{ID: p}, nil
	case "announced":
		set, err := parseShards(c.Opt("shards", ""))
		return relay.TopicsAnnounced{ID: p, Shards: set}, err
	case "dial-ok":
		return relay.DialSucceeded{ID: p}, nil
	case "dial-failed":
		return relay.DialFailed{ID: p}, nil
	case "rtt":
		v, err := c.Arg(1)
		if err != nil {
			return nil, err
		}
		rtt, err := parseDur(v)
		return relay.RTTMeasured{ID: p, RTT: rtt}, err
	case "service":
		v, _ := c.Arg(1)
		return relay.ServicePeerChanged{ID: p, InUse: v != "off"}, nil
	}
	return nil, fmt.Errorf("relay event %q: %w", c.Name, ErrUnsupported)
}

// connected builds a PeerConnected: "connected <peer> in|out [ip=...]".
func (d *relayDriver) connected(p peerid.ID, c Command) (relay.Event, error) {
	dir, err := c.Arg(1)
	if err != nil {
		return nil, err
	}
	ev := relay.PeerConnected{ID: p, Direction: book.Inbound}
	switch dir {
	case "in":
	case "out":
		ev.Direction = book.Outbound
	default:
		return nil, fmt.Errorf("connected <peer> in|out")
	}
	ev.IP, err = parseIP(c.Opt("ip", ""))
	return ev, err
}

// discovered builds a PeerDiscovered; shards without caps mean a relay
// node's ENR.
func (d *relayDriver) discovered(id peerid.ID, c Command) (relay.Event, error) {
	dp, err := parseDiscovered(id, c, d.cfg.Cluster, shardmesh.CapRelay)
	return relay.PeerDiscovered{Peer: dp}, err
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
