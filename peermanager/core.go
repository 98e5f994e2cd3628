package peermanager

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

	stats         Stats
	discoveryReqs [shardmesh.ShardsPerCluster]uint64
}

type dialState struct {
	deadline time.Time
	shards   shardmesh.ShardSet // subscribed shards the peer was dialled for
	ip       netip.Addr         // colocation group (Book.ColocationGroup)
}

// Stats are the core's cumulative counters, read by the metrics collector.
type Stats struct {
	DialsStarted   uint64
	DialsSucceeded uint64
	DialsFailed    uint64
	// DialsExpired counts dials the shell never reported back on.
	DialsExpired uint64
	// DialsClosedEarly counts succeeded dials whose connection the peer
	// closed within EarlyCloseWindow (counted as failures for backoff).
	DialsClosedEarly  uint64
	Disconnects       [numReasons]uint64
	DiscoveryRequests uint64
	// BookFull counts discovered peers the book had no room for.
	BookFull uint64
	// Forgotten counts peers removed after too many failures or as misfits.
	Forgotten uint64
	// PruneSearches counts prune passes whose greedy plan fell short of the
	// targets, so that the exact search ran; PruneSearchRescues those where
	// it found a plan that reaches them.
	PruneSearches, PruneSearchRescues uint64
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
func (c *Core) DiscoveryRequests(s uint16) uint64 {
	if s > shardmesh.MaxShardIndex {
		return 0
	}
	return c.discoveryReqs[s]
}

// DialsInFlight returns the number of dials awaiting an outcome.
func (c *Core) DialsInFlight() int { return len(c.dials) }

// Online reports whether the core believes the node is online.
func (c *Core) Online() bool { return c.online }

// relayPeers returns the relay peers of our cluster on shard index s:
// connected ones, or the others.
func (c *Core) relayPeers(s uint16, connected bool) book.PeerSet {
	return c.book.Peers(c.relay, shardmesh.Shard{Cluster: c.cfg.Cluster, Index: s}, connected)
}

// ConnectedOnShard returns the connected relay peers advertising shard s,
// and how many of them are outbound.
func (c *Core) ConnectedOnShard(s uint16) (total, outbound int) {
	set := c.relayPeers(s, true)
	return set.Len(), set.Outbound()
}

// Floor returns shard s's current floor: ShardFloor, raised by
// UnhealthyExtra while the tracker reports the shard below
// shardmesh.SufficientlyHealthy.
func (c *Core) Floor(s uint16) int {
	if c.healthKnown.Contains(s) && c.health[s] < shardmesh.SufficientlyHealthy {
		return c.cfg.ShardFloor + c.cfg.UnhealthyExtra + int(c.boost[s])
	}
	return c.cfg.ShardFloor
}

// Step applies one event at now and returns the actions to carry out. The
// returned slice is reused by the next Step: consume it first.
func (c *Core) Step(now time.Time, ev Event) []Action {
	c.actions = c.actions[:0]
	switch e := ev.(type) {
	case Tick:
		c.tick(now)
	case Subscribed:
		c.onSubscribed(e.Shard, now)
	case Unsubscribed:
		c.onUnsubscribed(e.Shard, now)
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
		c.onDialFailed(e.ID, now, false)
	case HealthChanged:
		if e.Shard <= shardmesh.MaxShardIndex {
			c.health[e.Shard] = e.Health
			c.healthKnown.Add(e.Shard)
			if e.Health == shardmesh.SufficientlyHealthy {
				c.boost[e.Shard] = 0
			}
			c.react(now)
		}
	case OnlineChanged:
		c.onOnline(e.Online, now)
	case DiscoveryDone:
		if e.Shard <= shardmesh.MaxShardIndex {
			c.discoverUntil[e.Shard] = time.Time{}
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
		if int(c.boost[s]) < limit && c.pending[s] == 0 && c.relayPeers(s, true).Len() >= c.Floor(s) {
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

func (c *Core) onSubscribed(s uint16, now time.Time) {
	if s > shardmesh.MaxShardIndex || !c.subscribed.Add(s) {
		return
	}
	c.book.SetWanted(c.subscribed)
	if c.cfg.DialOnSubscribe || c.cfg.DialOnEvents {
		c.fillDeficits(now)
	}
}

func (c *Core) onUnsubscribed(s uint16, now time.Time) {
	if s > shardmesh.MaxShardIndex || !c.subscribed.Remove(s) {
		return
	}
	c.book.SetWanted(c.subscribed)
	c.healthKnown.Remove(s)
	c.boost[s] = 0
	c.discoverUntil[s] = time.Time{}
	if !c.cfg.UnsubscribeDisconnects {
		// Ours and nwaku's: peers that served only s are now on no
		// subscribed shard; pruning drops them if and when we are above
		// target.
		return
	}
	// go-waku handleNewRelayTopicUnSubscription: close connected peers
	// whose only topic was s, service peers included.
	conn := c.book.ConnectedPeers()
	c.peers = c.peers[:0]
	for i := range conn.Len() {
		p := conn.At(i)
		if shards, src := p.Shards(); src != book.ShardsUnknown && shards.Len() == 1 && shards.Contains(s) {
			c.peers = append(c.peers, p)
		}
	}
	for _, p := range c.peers {
		c.disconnect(p, ReasonUnsubscribed, now)
	}
}

func (c *Core) onDiscovered(d book.DiscoveredPeer, now time.Time) {
	p, err := c.book.Discover(d, now)
	if err != nil {
		c.stats.BookFull++
		return
	}
	if p.Static() && !slices.Contains(c.static, p.ID()) {
		c.static = append(c.static, p.ID())
		if c.online && c.dialable(p, now) && len(c.dials) < c.cfg.MaxDialsInFlight {
			c.dial(p, now)
		}
		return
	}
	if c.cfg.DialDiscoveredBelow > 0 && c.book.ConnectedPeers().Len() < c.cfg.DialDiscoveredBelow && c.online && c.dialable(p, now) {
		c.enqueue(p.ID(), now)
		return
	}
	if c.cfg.DialOnEvents && p.IndexedShards().Intersects(c.subscribed) && c.dialable(p, now) &&
		(p.IndexedShards().Intersects(c.under) || c.relayCounts().out+len(c.dials) < c.cfg.OutboundTarget) {
		c.fillDeficits(now)
	}
}

func (c *Core) onConnected(e PeerConnected, now time.Time) {
	_, dialled := c.endDial(e.ID, now)
	if dialled {
		c.stats.DialsSucceeded++
		if q := c.book.Get(e.ID); q != nil && c.cfg.EarlyCloseWindow > 0 && e.Direction == book.Outbound {
			st := c.state(q)
			st.failuresBeforeConn = q.DialFailures()
			st.earlyCloseUntil = now.Add(c.cfg.EarlyCloseWindow)
		}
		if c.cfg.Backoff.ResetOnSuccess {
			c.book.ResetBackoff(e.ID)
		}
	}
	p := c.book.Connected(e.ID, e.Direction, e.IP, now)
	if c.cfg.ColocationLimit > 0 && p.IP().IsValid() && c.book.ConnectedOnIP(p.IP()) > c.cfg.ColocationLimit {
		c.enforceColocation(p, now)
		if p.Connectedness() != book.Connected {
			return
		}
	}
	if c.cfg.InboundCheckOnConnect && e.Direction == book.Inbound && p.Supports(c.relay) &&
		c.relayCounts().in > c.cfg.InboundTarget {
		c.disconnect(p, ReasonInboundExcess, now)
		return
	}
	c.drainQueue(now)
	c.react(now)
}

// enforceColocation handles a connection that took p's IP over the limit:
// ours (and go-waku's gater) turn the newcomer away; nwaku disconnects and
// forgets the oldest peers on the IP.
func (c *Core) enforceColocation(p *book.Peer, now time.Time) {
	if !c.cfg.ColocationDropOldest {
		c.disconnect(p, ReasonColocation, now)
		return
	}
	conn := c.book.ConnectedPeers()
	c.peers = c.peers[:0]
	for i := range conn.Len() {
		if q := conn.At(i); q.IP().IsValid() && c.book.ColocationGroup(q.IP()) == c.book.ColocationGroup(p.IP()) {
			c.peers = append(c.peers, q)
		}
	}
	slices.SortStableFunc(c.peers, func(x, y *book.Peer) int { return x.ConnectedAt().Compare(y.ConnectedAt()) })
	for _, q := range c.peers[:len(c.peers)-c.cfg.ColocationLimit] {
		c.disconnect(q, ReasonColocation, now)
		if c.cfg.ForgetMisfits {
			c.forget(q)
		}
	}
}

func (c *Core) onDisconnected(id peerid.ID, now time.Time) {
	p := c.book.Get(id)
	if p == nil {
		return
	}
	c.endDial(id, now)
	c.setProtected(p, false)
	if p.Connectedness() == book.Connected {
		c.book.Disconnected(id, now)
		st := c.state(p)
		// The peer closed on us (we mark our own disconnections at once):
		// it is gone, or over its own target and would prune us again.
		// Either way, try others first for a while.
		if c.cfg.PruneCooldown > 0 {
			st.pruneCooldownUntil = now.Add(c.cfg.PruneCooldown)
		}
		early := now.Before(st.earlyCloseUntil)
		st.earlyCloseUntil = time.Time{}
		if early {
			c.closedEarly(p, now)
		}
		c.react(now)
	}
}

// onTopicsAnnounced takes the shard topics a connected peer announced in
// gossipsub as its shards (TrustGossipsubTopics), once it has been
// connected for GossipsubTopicsGrace: a peer in no topic announces
// nothing, so an empty set means something only after its hello had time
// to arrive. The shell sends the event again every tick.
func (c *Core) onTopicsAnnounced(e TopicsAnnounced, now time.Time) {
	if !c.cfg.TrustGossipsubTopics {
		return
	}
	p := c.book.Get(e.ID)
	if p == nil || p.Connectedness() != book.Connected || now.Before(p.ConnectedAt().Add(c.cfg.GossipsubTopicsGrace)) {
		return
	}
	if c.book.GossipsubTopics(e.ID, e.Shards) {
		c.react(now)
	}
}

// onDialSucceeded handles the shell's report that a dial returned a
// connection. Usually PeerConnected came first and settled the dial. If the
// dial is still in flight and the peer is not connected, the connection
// closed before the core saw it (the shell drops a connect-and-close pair
// it had not delivered yet): with EarlyCloseWindow that is an early close.
func (c *Core) onDialSucceeded(id peerid.ID, now time.Time) {
	_, inFlight := c.endDial(id, now)
	if inFlight {
		c.stats.DialsSucceeded++
	}
	p := c.book.Get(id)
	switch {
	case p == nil:
	case c.cfg.EarlyCloseWindow > 0:
		if inFlight && p.Connectedness() != book.Connected {
			c.stats.DialsClosedEarly++
			c.backOff(p, now)
		}
	case c.cfg.Backoff.ResetOnSuccess:
		c.book.ResetBackoff(id)
	}
	c.drainQueue(now)
}

// closedEarly handles a peer that closed the connection we dialled within
// EarlyCloseWindow: the dial failed after all. The failure count goes on
// from where it was before the connection, with the backoff that follows.
func (c *Core) closedEarly(p *book.Peer, now time.Time) {
	c.stats.DialsClosedEarly++
	c.book.RestoreDialFailures(p.ID(), c.state(p).failuresBeforeConn)
	c.backOff(p, now)
}

// backOff records one more failed dial of p: the backoff that follows and,
// past ForgetAfter failures, forgetting p (never a static peer).
func (c *Core) backOff(p *book.Peer, now time.Time) {
	delay := c.cfg.Backoff.Delay(p.DialFailures()+1, c.rng)
	failures := c.book.DialFailed(p.ID(), now.Add(delay), now)
	if f := c.cfg.Backoff.ForgetAfter; f > 0 && failures >= f && !p.Static() {
		c.forget(p)
	}
}

func (c *Core) onMetadata(e MetadataReceived, now time.Time) {
	p := c.book.MetadataReceived(e.ID, e.Cluster, e.Shards, now)
	if p == nil || p.Connectedness() != book.Connected {
		return
	}
	switch {
	case e.Cluster != c.cfg.Cluster:
		c.disconnect(p, ReasonClusterMismatch, now)
		if c.cfg.ForgetMisfits {
			c.forget(p)
		}
		return
	case c.cfg.DisconnectRelayWithoutShards && e.Shards.Empty() && p.Supports(c.relay):
		c.disconnect(p, ReasonNoShards, now)
		return
	}
	c.react(now)
}

func (c *Core) onMetadataFailed(id peerid.ID, now time.Time) {
	p := c.book.Get(id)
	if p == nil || p.Connectedness() != book.Connected {
		return
	}
	switch c.cfg.MetadataFailure {
	case AlwaysDisconnect:
	case DisconnectOnTWN:
		if c.cfg.Cluster != shardmesh.ClusterTWN {
			return
		}
	default:
		return
	}
	c.disconnect(p, ReasonMetadataFailed, now)
	if c.cfg.ForgetMisfits {
		c.forget(p)
	}
}

func (c *Core) onOnline(online bool, now time.Time) {
	was := c.online
	c.online = online
	if !online || was {
		return
	}
	if c.cfg.Backoff.ResetOnOnline {
		c.book.ResetAllBackoff()
	}
	c.drainQueue(now)
	c.fillDeficits(now)
}

// onDialFailed records a failure and schedules the peer's next attempt.
func (c *Core) onDialFailed(id peerid.ID, now time.Time, expired bool) {
	if _, ok := c.endDial(id, now); ok {
		if expired {
			c.stats.DialsExpired++
		} else {
			c.stats.DialsFailed++
		}
	}
	p := c.book.Get(id)
	if p == nil || p.Connectedness() == book.Connected {
		return
	}
	c.backOff(p, now)
	c.drainQueue(now)
	c.react(now)
}

func (c *Core) expireDials(now time.Time) {
	var expired []peerid.ID
	for id, d := range c.dials {
		if now.After(d.deadline) {
			expired = append(expired, id)
		}
	}
	slices.Sort(expired) // map order is random; decisions must not be
	for _, id := range expired {
		c.onDialFailed(id, now, true)
	}
}

func (c *Core) onShardsOf(p *book.Peer) shardmesh.ShardSet {
	return p.IndexedShards().Intersect(c.subscribed)
}

// dialable reports whether p may be dialled at now.
func (c *Core) dialable(p *book.Peer, now time.Time) bool {
	if p.Connectedness() != book.NotConnected || p.InBackoff(now) {
		return false
	}
	if cluster, known := p.Cluster(); known && cluster != c.cfg.Cluster {
		return false
	}
	if g := c.cfg.Backoff.GiveUpAfter; g > 0 && p.DialFailures() >= g {
		return false
	}
	if c.cfg.ColocationLimit > 0 && p.IP().IsValid() &&
		c.book.ConnectedOnIP(p.IP())+c.dialingIP[c.book.ColocationGroup(p.IP())] >= c.cfg.ColocationLimit {
		return false
	}
	return true
}

func (c *Core) dial(p *book.Peer, now time.Time) {
	d := dialState{deadline: now.Add(2 * c.cfg.DialTimeout), shards: c.onShardsOf(p), ip: c.book.ColocationGroup(p.IP())}
	c.dials[p.ID()] = d
	for s, ok := d.shards.Next(0); ok; s, ok = d.shards.Next(s + 1) {
		c.pending[s]++
	}
	if d.ip.IsValid() {
		c.dialingIP[d.ip]++
	}
	c.book.SetDialing(p.ID(), true, now)
	c.stats.DialsStarted++
	c.emit(Action{Kind: ActDial, Peer: p.ID()})
}

// endDial forgets an in-flight dial and reports whether there was one.
func (c *Core) endDial(id peerid.ID, now time.Time) (dialState, bool) {
	d, ok := c.dials[id]
	if !ok {
		return d, false
	}
	delete(c.dials, id)
	for s, ok := d.shards.Next(0); ok; s, ok = d.shards.Next(s + 1) {
		c.pending[s]--
	}
	if d.ip.IsValid() {
		if n := c.dialingIP[d.ip] - 1; n > 0 {
			c.dialingIP[d.ip] = n
		} else {
			delete(c.dialingIP, d.ip)
		}
	}
	c.book.SetDialing(id, false, now)
	return d, true
}

// disconnect asks the shell to close p and updates the book at once, so that
// the rest of this step (and the next) already counts without p.
func (c *Core) disconnect(p *book.Peer, reason DisconnectReason, now time.Time) {
	c.emit(Action{Kind: ActDisconnect, Peer: p.ID(), Reason: reason})
	c.stats.Disconnects[reason]++
	c.setProtected(p, false)
	c.book.Disconnected(p.ID(), now)
	if (reason == ReasonPruneNoShard || reason == ReasonPruneOverServed || reason == ReasonInboundExcess) &&
		c.cfg.PruneCooldown > 0 {
		c.state(p).pruneCooldownUntil = now.Add(c.cfg.PruneCooldown)
	}
}

// forget removes p from the book and tells the shell.
func (c *Core) forget(p *book.Peer) {
	if p.Static() {
		return
	}
	id := p.ID()
	if c.book.Remove(id) {
		c.stats.Forgotten++
		c.emit(Action{Kind: ActNotify, Notice: NoticePeerForgotten, Peer: id})
	}
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
		c.emit(Action{Kind: ActNotify, Notice: NoticeShardBelowFloor, Shard: s})
	}
	for s, ok := left.Next(0); ok; s, ok = left.Next(s + 1) {
		c.emit(Action{Kind: ActNotify, Notice: NoticeShardAtFloor, Shard: s})
	}
	c.below = below
}
