package selection

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// Core chooses service peers (filter, light push, store, peer exchange)
// for a light client and keeps them in sticky pools per (protocol, shard)
// until they fail.
//
// It is pure: callers pass now, it reads no clock, starts no goroutine, does
// no I/O and draws from a seeded RNG, so the same inputs give the same
// choices (the conformance scenarios rely on it). It reads the peer Book's
// indexes and never scans the book. It is not safe for concurrent use: its
// owner serialises access to it and to the Book (package
// peermanager/selector does, for a light client). The relay Manager has
// no Core: a full node that needs service peers runs a selector next to it
// and tells the Manager which peers it uses (Manager.SetServicePeer), so
// that relay pruning spares them.
//
// The owner feeds it: Select for choices, Report for outcomes of using a
// peer, PeerUpdated after every book change about a peer (connection,
// identify, metadata, discovery), Tick now and then (end of benching,
// metadata expiry), and drains Notifications.
type Core struct {
	book *book.Book
	cfg  Config
	rng  *rand.Rand

	protos    []protoState     // by ProtocolRef
	filterRef book.ProtocolRef // health protocols; valid when has*
	pushRef   book.ProtocolRef
	pushV2Ref book.ProtocolRef
	hasFilter bool
	hasPush   bool
	hasPushV2 bool
	storeRef  book.ProtocolRef
	hasStore  bool

	pools        map[poolKey]*pool
	poolList     []*pool // creation order: deterministic iteration
	inPools      map[peerid.ID]int
	failures     map[peerProto]int
	benchedUntil map[peerProto]time.Time
	health       map[uint16]LightHealth

	notes []Notification
	stats counters

	// online state (online.go)
	offline      bool
	cut          bool   // no connection at all, at the last look
	offlineEpoch uint64 // offline episodes so far (SetOnline(false) or cut)
	ours         map[peerid.ID]time.Time
	pending      []pendingLoss
	due          []pendingLoss
	declared     bool // cfg.Shards declared
	shardPins    map[poolKey][]peerid.ID
	onMembership func(peerid.ID, bool)

	// scratch, reused so that selection does not allocate
	pick    []peerid.ID
	best    []*book.Peer
	lost    []peerid.ID
	expired []peerid.ID
}

type protoState struct {
	id  string
	cfg ProtocolConfig
}

type poolKey struct {
	ref   book.ProtocolRef
	shard uint16
}

type peerProto struct {
	id  peerid.ID
	ref book.ProtocolRef
}

// NewCore returns a selector over book with configuration cfg.
// Every configured protocol must be tracked by the book, and the book's
// cluster must be cfg.Cluster.
func NewCore(b *book.Book, cfg Config) (*Core, error) {
	if b == nil {
		return nil, fmt.Errorf("%w: nil book", ErrInvalidConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if b.Cluster() != cfg.Cluster {
		return nil, fmt.Errorf("%w: book of cluster %d, selector of cluster %d", ErrInvalidConfig, b.Cluster(), cfg.Cluster)
	}
	tracked := b.TrackedProtocols()
	c := &Core{
		book:         b,
		cfg:          cfg,
		rng:          rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5e1ec7)),
		protos:       make([]protoState, len(tracked)),
		pools:        make(map[poolKey]*pool),
		inPools:      make(map[peerid.ID]int),
		failures:     make(map[peerProto]int),
		benchedUntil: make(map[peerProto]time.Time),
		health:       make(map[uint16]LightHealth),
		ours:         make(map[peerid.ID]time.Time),
		shardPins:    make(map[poolKey][]peerid.ID),
		pick:         make([]peerid.ID, 0, maxSelect),
		best:         make([]*book.Peer, 0, maxSelect),
	}
	for i, tp := range tracked {
		pp := cfg.Fallback
		pp.Protocol = tp.ID
		c.protos[i] = protoState{id: tp.ID, cfg: pp}
	}
	for _, pp := range cfg.Protocols {
		ref, ok := b.Protocol(pp.Protocol)
		if !ok {
			return nil, fmt.Errorf("%w: protocol %q is not tracked by the book", ErrInvalidConfig, pp.Protocol)
		}
		c.protos[ref].cfg = pp
	}
	c.filterRef, c.hasFilter = b.Protocol(protocols.FilterSubscribe)
	c.pushRef, c.hasPush = b.Protocol(protocols.LightPush)
	c.pushV2Ref, c.hasPushV2 = b.Protocol(protocols.LightPushLegacy)
	c.storeRef, c.hasStore = b.Protocol(protocols.Store)
	return c, nil
}

// NewCoreAt is NewCore followed by the declaration of cfg.Shards at now
// (DeclareShard): their pools are filled from what the book holds and
// their health is graded at once. NewCore leaves declared shards to the
// first Tick.
func NewCoreAt(b *book.Book, cfg Config, now time.Time) (*Core, error) {
	c, err := NewCore(b, cfg)
	if err != nil {
		return nil, err
	}
	c.declareAll(now)
	return c, nil
}

func (c *Core) declareAll(now time.Time) {
	for _, s := range c.cfg.Shards {
		_ = c.DeclareShard(shardmesh.Shard{Cluster: c.cfg.Cluster, Index: s}, now) // validated by Config.Validate
	}
	c.declared = true
}

// Book returns the book the selector reads.
func (c *Core) Book() *book.Book { return c.book }

// Config returns the configuration.
func (c *Core) Config() Config { return c.cfg }

// Select returns up to Count service peers for the request (see
// AppendSelect). The only allocation is the returned slice.
func (c *Core) Select(req Request, now time.Time) ([]peerid.ID, error) {
	n := req.Count
	if n <= 0 || n > maxSelect {
		n = 1
	}
	return c.AppendSelect(make([]peerid.ID, 0, n), req, now)
}

// AppendSelect appends up to Count peers for the request to dst.
//
// With a sticky protocol (and not NoPool) the peers come from the pool of
// (protocol, shard): its members first (pinned ones first), the pool filled
// up to its target from eligible candidates when short. Members the request
// excludes are skipped and the answer completed with other peers, which do
// not join the pool. Without a pool every call draws anew.
//
// Eligible: indexed by the book for the protocol (identify, else ENR
// `waku2`) on the shard (metadata, else ENR) and of our cluster; peers of
// unknown shards as the UnknownShards mode says; not benched after a
// replacement; not in dial backoff unless connected; not excluded. The
// policy orders them (see Policy).
//
// Fewer than Count peers is not an error. No peer at all is a
// *Error whose Reason says why; a malformed request wraps
// ErrInvalidRequest.
func (c *Core) AppendSelect(dst []peerid.ID, req Request, now time.Time) ([]peerid.ID, error) {
	ref, shard, err := c.resolve(&req)
	if err != nil {
		return dst, err
	}
	ps := &c.protos[ref].cfg
	count := req.Count
	if count == 0 {
		count = ps.PoolSize
	}
	policy := req.Policy
	if policy == PolicyDefault {
		policy = ps.Policy
	}
	start := len(dst)
	if ps.Sticky && !req.NoPool {
		pl := c.poolFor(poolKey{ref, shard.Index}, now)
		pl.policy = policy
		if count > pl.target {
			pl.target = count
		}
		c.maintain(pl, "", now)
		for i := range pl.members {
			if len(dst)-start == count {
				break
			}
			// A member in dial backoff stays in the pool (its failures are
			// counted by Report) but is not handed out while dialling it
			// is forbidden.
			m := &pl.members[i]
			if p := c.record(m); !req.excludes(m.id) && (p == nil || p.Connectedness() == book.Connected || !p.InBackoff(now)) {
				dst = append(dst, m.id)
			}
		}
		if short := count - (len(dst) - start); short > 0 {
			c.pick = c.pick[:0]
			c.candidates(ref, shard.Index, policy, short, &req, pl.members, "", now)
			dst = append(dst, c.pick...)
		}
	} else {
		c.pick = c.pick[:0]
		c.candidates(ref, shard.Index, policy, count, &req, nil, "", now)
		dst = append(dst, c.pick...)
	}
	got := len(dst) - start
	c.stats.selected(ref, got, count)
	if got == 0 {
		return dst, c.diagnose(ref, shard, &req, now)
	}
	return dst, nil
}

// resolve validates the request and returns its protocol and shard.
func (c *Core) resolve(req *Request) (book.ProtocolRef, shardmesh.Shard, error) {
	var shard shardmesh.Shard
	switch {
	case req.ContentTopic != "":
		if c.cfg.AutoshardingShards == 0 {
			return 0, shard, fmt.Errorf("%w: content topic %q: autosharding is not configured for cluster %d (set AutoshardingShards)",
				ErrInvalidRequest, req.ContentTopic, c.cfg.Cluster)
		}
		s, err := shardmesh.AutoShard(req.ContentTopic, c.cfg.Cluster, c.cfg.AutoshardingShards)
		if err != nil {
			return 0, shard, fmt.Errorf("%w: %w", ErrInvalidRequest, err)
		}
		shard = s
	case req.PubsubTopic != "":
		s, err := shardmesh.ParsePubsubTopic(req.PubsubTopic)
		if err != nil {
			return 0, shard, fmt.Errorf("%w: %w", ErrInvalidRequest, err)
		}
		shard = s
	default:
		shard = req.Shard
	}
	if shard.Cluster != c.cfg.Cluster {
		return 0, shard, fmt.Errorf("%w: shard %d/%d is not in our cluster %d", ErrInvalidRequest, shard.Cluster, shard.Index, c.cfg.Cluster)
	}
	if shard.Index > shardmesh.MaxShardIndex {
		return 0, shard, fmt.Errorf("%w: shard index %d above %d", ErrInvalidRequest, shard.Index, shardmesh.MaxShardIndex)
	}
	if req.Count < 0 || req.Count > maxSelect {
		return 0, shard, fmt.Errorf("%w: count %d, want 0..%d", ErrInvalidRequest, req.Count, maxSelect)
	}
	if req.Policy >= numPolicies {
		return 0, shard, fmt.Errorf("%w: policy %d", ErrInvalidRequest, req.Policy)
	}
	ref, ok := c.book.Protocol(req.Protocol)
	if !ok {
		c.stats.untracked++
		return 0, shard, &Error{Protocol: req.Protocol, Shard: shard, Reason: ErrUntrackedProtocol}
	}
	return ref, shard, nil
}

// benched reports whether id was replaced for protocol ref and is still
// benched at now (ReplacementRule.BenchFor).
func (c *Core) benched(id peerid.ID, ref book.ProtocolRef, now time.Time) bool {
	if len(c.benchedUntil) == 0 {
		return false
	}
	until, ok := c.benchedUntil[peerProto{id, ref}]
	return ok && now.Before(until)
}

// BenchedUntil returns when id may serve protocol proto again after a
// replacement, and false when it is not benched at now. Benching is the
// selector's own: it keeps a replaced peer out of the protocol's pools for
// ReplacementRule.BenchFor, and has nothing to do with the relay core's
// prune cooldown (relay.Core.InPruneCooldown) or the book's dial backoff.
func (c *Core) BenchedUntil(id peerid.ID, proto string, now time.Time) (time.Time, bool) {
	ref, ok := c.book.Protocol(proto)
	if !ok || !c.benched(id, ref, now) {
		return time.Time{}, false
	}
	return c.benchedUntil[peerProto{id, ref}], true
}

// Failures returns id's consecutive counted failures for protocol proto.
func (c *Core) Failures(id peerid.ID, proto string) int {
	ref, ok := c.book.Protocol(proto)
	if !ok {
		return 0
	}
	return c.failures[peerProto{id, ref}]
}

// Tick ends benching periods and expires the book's stale metadata
// (Book.ExpireMetadata): pools left short while every candidate was
// benched are refilled, pools whose members no longer advertise the
// shard are brought up to date, and forgotten state (benching past,
// failure counts of peers that left the book) is dropped. Call it every few
// seconds.
func (c *Core) Tick(now time.Time) {
	if !c.declared {
		c.declareAll(now)
	}
	c.observeConnectivity()
	c.settleLosses(now)
	c.expired = c.book.ExpireMetadata(c.expired[:0], now)
	for _, id := range c.expired {
		if c.inPools[id] > 0 {
			c.PeerUpdated(id, now)
		}
	}
	for k, until := range c.benchedUntil {
		if !now.Before(until) {
			delete(c.benchedUntil, k)
		}
	}
	for k := range c.failures {
		if c.book.Get(k.id) == nil && c.inPools[k.id] == 0 {
			delete(c.failures, k)
		}
	}
	for _, pl := range c.poolList {
		if len(pl.members) < pl.target {
			c.maintain(pl, "", now)
		}
	}
}

// Notifications returns the notifications since the last call. The slice
// is reused: it is valid until the next call of any Core method.
func (c *Core) Notifications() []Notification {
	ev := c.notes
	c.notes = c.notes[:0]
	return ev
}

func (c *Core) notify(n Notification) { c.notes = append(c.notes, n) }
