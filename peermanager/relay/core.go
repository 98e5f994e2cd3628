package relay

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// Core is the relay peer manager's decision maker: a pure state machine.
// Step takes an Event and the current time and returns the Actions to carry
// out. It reads no clock, does no I/O, starts no goroutine and draws its
// randomness from a generator seeded by Config.Seed, so the same events give
// the same actions (the conformance scenarios rely on it).
//
// The Core owns its Book; the shell reads it (Book) between steps. A Core is
// not safe for concurrent use: its owner serialises Step calls and reads.
type Core struct {
	cfg   Config
	book  *book.Book
	relay book.ProtocolRef
	rng   *rand.Rand

	subscribed  shardmesh.ShardSet
	health      [shardmesh.ShardsPerCluster]shardmesh.Health
	healthKnown shardmesh.ShardSet // shards the tracker reported on
	boost       [shardmesh.ShardsPerCluster]uint8
	online      bool

	dials     map[peerid.ID]dialState
	pending   [shardmesh.ShardsPerCluster]uint16 // dials in flight per shard
	dialingIP map[netip.Addr]int
	queue     []peerid.ID // dial queue of the preset strategies
	static    []peerid.ID

	discoverUntil [shardmesh.ShardsPerCluster]time.Time
	below         shardmesh.ShardSet // shards under ShardFloor at the last check
	now           time.Time          // of the last Step, for DialCreditEndsIn
	// until then candidates are ranked by how specific their claims are
	// (Config.DistrustBroadClaims; see noteMisreport)
	distrustUntil time.Time
	under         shardmesh.ShardSet // shards with a deficit at the last pass

	// scratch, reused across steps so that steady-state steps allocate
	// nothing
	epoch    uint32
	pool     []candidate
	reserve  []*book.Peer
	peers    []*book.Peer
	cnt, out [shardmesh.ShardsPerCluster]int16
	// a prune pass: what is left to remove, the greedy plan, and the
	// exact search's candidates, suffix inbound counts, result and size
	need         pruneNeeds
	victims      []*book.Peer
	cands        []*book.Peer
	inboundAfter []int
	noShardAfter []int
	candShards   []int
	found        []*book.Peer
	searchNodes  int
	deficit      [shardmesh.ShardsPerCluster]int16
	eligible     [shardmesh.ShardsPerCluster]int16
	actions      []Action
	expired      []peerid.ID

	states []peerState // by book slot; see peerState
	// joins: per connected peer, go-waku's view of its gossipsub joins
	// (onTopicsJoined); kept apart from peerState so that the policies
	// that do not read joins pay nothing per peer.
	joins map[peerid.ID]*topicJoins

	stats         Stats
	discoveryReqs [shardmesh.ShardsPerCluster]uint64
	// dials started and failed per shard index, counting a dial once for
	// every subscribed shard of the peer (for reports; see ShardSnapshot)
	dialsByShard, dialFailsByShard [shardmesh.ShardsPerCluster]uint64
}

// NewCore returns a core for cfg with an empty book (options configure it;
// the IPv6 colocation prefix comes from cfg).
func NewCore(cfg Config, bookOpts ...book.Option) (*Core, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts := append(slices.Clip(bookOpts), book.WithColocationIPv6Bits(cfg.ColocationIPv6Bits))
	b, err := book.New(cfg.Cluster, opts...)
	if err != nil {
		return nil, err
	}
	relay, ok := b.Protocol(protocols.Relay)
	if !ok {
		return nil, fmt.Errorf("%w: the book does not track %s", ErrInvalidConfig, protocols.Relay)
	}
	return &Core{
		cfg:       cfg,
		book:      b,
		relay:     relay,
		rng:       rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		online:    true,
		dials:     make(map[peerid.ID]dialState),
		dialingIP: make(map[netip.Addr]int),
	}, nil
}

// Config returns the core's configuration.
func (c *Core) Config() Config { return c.cfg }

// Book returns the peer book. Read it between steps only.
func (c *Core) Book() *book.Book { return c.book }

// Subscribed returns the shards we are subscribed to.
func (c *Core) Subscribed() shardmesh.ShardSet { return c.subscribed }

// Stats returns the cumulative counters.
func (c *Core) Stats() Stats { return c.stats }

// DiscoveryRequests returns how many Discover actions targeted shard s.
func (c *Core) DiscoveryRequests(s shardmesh.Shard) uint64 {
	i, ok := c.index(s)
	if !ok {
		return 0
	}
	return c.discoveryReqs[i]
}

// DialsInFlight returns the number of dials awaiting an outcome.
func (c *Core) DialsInFlight() int { return len(c.dials) }

// Online reports whether the core believes the node is online.
func (c *Core) Online() bool { return c.online }

// shard returns shard index s of our cluster.
func (c *Core) shard(s uint16) shardmesh.Shard {
	return shardmesh.Shard{Cluster: c.cfg.Cluster, Index: s}
}

// relayPeers returns the relay peers of our cluster on shard index s:
// connected ones, or the others.
func (c *Core) relayPeers(s uint16, connected bool) book.PeerSet {
	return c.book.Peers(c.relay, c.shard(s), connected)
}

// index returns the index of s in our cluster, and false for a shard of
// another cluster or out of range: events about those are ignored.
func (c *Core) index(s shardmesh.Shard) (uint16, bool) {
	return s.Index, s.Cluster == c.cfg.Cluster && s.Valid()
}

// ConnectedOnShard returns the connected relay peers advertising shard s,
// and how many of them are outbound.
func (c *Core) ConnectedOnShard(s shardmesh.Shard) (total, outbound int) {
	set := c.book.Peers(c.relay, s, true)
	return set.Len(), set.Outbound()
}

// Floor returns shard s's current floor: ShardFloor, raised by
// UnhealthyExtra while the tracker reports the shard below
// shardmesh.SufficientlyHealthy (0 for a shard of another cluster).
func (c *Core) Floor(s shardmesh.Shard) int {
	i, ok := c.index(s)
	if !ok {
		return 0
	}
	return c.floor(i)
}

// floor is Floor for shard index s of our cluster.
func (c *Core) floor(s uint16) int {
	if c.healthKnown.Contains(s) && c.health[s] < shardmesh.SufficientlyHealthy {
		return c.cfg.ShardFloor + c.cfg.UnhealthyExtra + int(c.boost[s])
	}
	return c.cfg.ShardFloor
}

// Step applies one event at now and returns the actions to carry out. The
// returned slice is reused by the next Step: consume it first. Events about
// a shard of another cluster are ignored.
func (c *Core) Step(ev Event, now time.Time) []Action {
	c.actions = c.actions[:0]
	c.now = now
	switch e := ev.(type) {
	case Tick:
		c.tick(now)
	case Subscribed:
		if s, ok := c.index(e.Shard); ok {
			c.onSubscribed(s, now)
		}
	case Unsubscribed:
		if s, ok := c.index(e.Shard); ok {
			c.onUnsubscribed(s, now)
		}
	case PeerDiscovered:
		c.onDiscovered(e.Peer, now)
	case PeerConnected:
		c.onConnected(e, now)
	case PeerDisconnected:
		c.onDisconnected(e.ID, now)
	case PeerIdentified:
		if c.book.Identified(e.ID, e.Protocols, now) != nil {
			c.react(now)
		}
	case MetadataReceived:
		c.onMetadata(e, now)
	case MetadataFailed:
		c.onMetadataFailed(e.ID, now)
	case TopicsAnnounced:
		c.onTopicsAnnounced(e, now)
	case DialSucceeded:
		c.onDialSucceeded(e.ID, now)
	case DialFailed:
		c.onDialFailed(e.ID, e.Cause, now, false)
	case HealthChanged:
		if s, ok := c.index(e.Shard); ok {
			c.onHealth(s, e.Health, now)
		}
	case OnlineChanged:
		c.onOnline(e.Online, now)
	case DiscoveryDone:
		if s, ok := c.index(e.Shard); ok {
			c.discoverUntil[s] = time.Time{}
		}
	case RTTMeasured:
		c.book.ObserveRTT(e.ID, e.RTT, now)
	case ServicePeerChanged:
		if p := c.book.Get(e.ID); p != nil {
			c.state(p).service = e.InUse
		}
	case TargetsChanged:
		if e.Inbound >= 0 && e.Outbound >= 0 {
			c.cfg.InboundTarget, c.cfg.OutboundTarget = e.Inbound, e.Outbound
			c.cfg.OutboundQuota = min(c.cfg.OutboundQuota, e.Outbound)
		}
	}
	c.checkFloors()
	return c.actions
}

func (c *Core) emit(a Action) { c.actions = append(c.actions, a) }

// react fills deficits right away when the policy reacts to events.
func (c *Core) react(now time.Time) {
	if c.cfg.DialOnEvents {
		c.fillDeficits(now)
	}
}

func (c *Core) tick(now time.Time) {
	// Stale metadata of disconnected peers gives way to their ENRs; only
	// candidates change (connected peers' metadata never expires).
	c.expired = c.book.ExpireMetadata(c.expired[:0], now)
	c.expireDials(now)
	c.escalateUnhealthy()
	c.prune(now)
	c.fillDeficits(now)
	if c.cfg.ProtectFloorPeers {
		c.protectFloorPeers()
	}
}

// escalateUnhealthy raises by one the floor of each subscribed shard that
// is still below SufficientlyHealthy although its raised floor is met and
// no dial for it is in flight, up to UnhealthyExtraMax above ShardFloor.
func (c *Core) escalateUnhealthy() {
	limit := c.cfg.UnhealthyExtraMax - c.cfg.UnhealthyExtra
	if limit <= 0 {
		return
	}
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		if !c.healthKnown.Contains(s) || c.health[s] == shardmesh.SufficientlyHealthy {
			continue
		}
		if int(c.boost[s]) < limit && c.pending[s] == 0 && c.relayPeers(s, true).Len() >= c.floor(s) {
			c.boost[s]++
		}
	}
}

// NextTick returns how long the shell should wait before the next Tick.
func (c *Core) NextTick() time.Duration {
	if !c.cfg.DynamicTick {
		return c.cfg.TickInterval
	}
	// nwaku relayConnectivityLoop: 30 s × min(inFactor, outFactor), >= 1 s.
	rc := c.relayCounts()
	inF, outF := 1.0, 1.0
	if c.cfg.InboundTarget > 0 {
		excess := max(rc.in-c.cfg.InboundTarget, 0)
		inF = 1 - min(float64(excess)/float64(c.cfg.InboundTarget), 1)
	}
	if c.cfg.OutboundTarget > 0 {
		outF = min(float64(rc.out)/float64(c.cfg.OutboundTarget), 1)
	}
	return max(time.Duration(float64(c.cfg.TickInterval)*min(inF, outF)), time.Second)
}

type relayCounts struct{ total, in, out int }

// relayCounts counts connected peers supporting relay. O(connections).
func (c *Core) relayCounts() relayCounts {
	var rc relayCounts
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		p := conn.At(i)
		if !p.Supports(c.relay) {
			continue
		}
		rc.total++
		if p.Direction() == book.Outbound {
			rc.out++
		} else {
			rc.in++
		}
	}
	return rc
}

// checkFloors emits notices for shards crossing ShardFloor. O(subscribed).
func (c *Core) checkFloors() {
	if c.cfg.ShardFloor == 0 {
		return
	}
	var below shardmesh.ShardSet
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		if c.relayPeers(s, true).Len() < c.cfg.ShardFloor {
			below.Add(s)
		}
	}
	if below == c.below {
		return
	}
	entered, left := below.Difference(c.below), c.below.Difference(below).Intersect(c.subscribed)
	for s, ok := entered.Next(0); ok; s, ok = entered.Next(s + 1) {
		c.emit(Action{Kind: ActNotify, Notice: NoticeShardBelowFloor, Shard: c.shard(s)})
	}
	for s, ok := left.Next(0); ok; s, ok = left.Next(s + 1) {
		c.emit(Action{Kind: ActNotify, Notice: NoticeShardAtFloor, Shard: c.shard(s)})
	}
	c.below = below
}
