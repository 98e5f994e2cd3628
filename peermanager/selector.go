package peermanager

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// SelectorCore chooses service peers (filter, light push, store, peer
// exchange) for a light client and keeps them in sticky pools per
// (protocol, shard) until they fail.
//
// It is pure: callers pass now, it reads no clock, starts no goroutine, does
// no I/O and draws from a seeded RNG, so the same events give the same
// choices (the conformance scenarios rely on it). It reads the peer Book's
// indexes and never scans the book. It is not safe for concurrent use: its
// owner serialises access to it and to the Book (Selector does, for a light
// client). The relay Manager owns none: a full node that needs service
// peers runs a Selector next to it and tells the Manager which peers it uses
// (Manager.SetServicePeer), so that relay pruning spares them.
//
// The owner feeds it: Select for choices, Report for outcomes of using a
// peer, PeerUpdated after every book change about a peer (connection,
// identify, metadata, discovery), Tick now and then (cooldown expiry), and
// drains Events.
type SelectorCore struct {
	book *book.Book
	cfg  SelectorConfig
	rng  *rand.Rand

	protos    []protoState     // by ProtocolRef
	filterRef book.ProtocolRef // health protocols; valid when has*
	pushRef   book.ProtocolRef
	hasFilter bool
	hasPush   bool

	pools    map[poolKey]*pool
	poolList []*pool // creation order: deterministic iteration
	inPools  map[peer.ID]int
	failures map[peerProto]int
	cooldown map[peerProto]time.Time
	health   map[uint16]LightHealth

	events []SelectorEvent
	stats  selectorCounters

	// scratch, reused so that selection does not allocate
	pick    []peer.ID
	best    []*book.Peer
	lost    []peer.ID
	expired []peerid.ID
}

type protoState struct {
	id     protocol.ID
	policy ProtocolPolicy
}

type poolKey struct {
	ref   book.ProtocolRef
	shard uint16
}

type peerProto struct {
	id  peer.ID
	ref book.ProtocolRef
}

// NewSelectorCore returns a selector over book with configuration cfg.
// Every configured protocol must be tracked by the book, and the book's
// cluster must be cfg.Cluster.
func NewSelectorCore(b *book.Book, cfg SelectorConfig) (*SelectorCore, error) {
	if b == nil {
		return nil, fmt.Errorf("%w: nil book", ErrInvalidSelectorConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if b.Cluster() != cfg.Cluster {
		return nil, fmt.Errorf("%w: book of cluster %d, selector of cluster %d", ErrInvalidSelectorConfig, b.Cluster(), cfg.Cluster)
	}
	tracked := b.TrackedProtocols()
	c := &SelectorCore{
		book:     b,
		cfg:      cfg,
		rng:      rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5e1ec7)),
		protos:   make([]protoState, len(tracked)),
		pools:    make(map[poolKey]*pool),
		inPools:  make(map[peer.ID]int),
		failures: make(map[peerProto]int),
		cooldown: make(map[peerProto]time.Time),
		health:   make(map[uint16]LightHealth),
		pick:     make([]peer.ID, 0, maxSelect),
		best:     make([]*book.Peer, 0, maxSelect),
	}
	for i, tp := range tracked {
		pp := cfg.Fallback
		pp.Protocol = protocol.ID(tp.ID)
		c.protos[i] = protoState{id: protocol.ID(tp.ID), policy: pp}
	}
	for _, pp := range cfg.Protocols {
		ref, ok := b.Protocol(string(pp.Protocol))
		if !ok {
			return nil, fmt.Errorf("%w: protocol %q is not tracked by the book", ErrInvalidSelectorConfig, pp.Protocol)
		}
		c.protos[ref].policy = pp
	}
	c.filterRef, c.hasFilter = b.Protocol(string(ProtocolFilter))
	c.pushRef, c.hasPush = b.Protocol(string(ProtocolLightPush))
	return c, nil
}

// Book returns the book the selector reads.
func (c *SelectorCore) Book() *book.Book { return c.book }

// Config returns the configuration.
func (c *SelectorCore) Config() SelectorConfig { return c.cfg }

// Select returns up to Count service peers for the request (see
// AppendSelect). The only allocation is the returned slice.
func (c *SelectorCore) Select(req Request, now time.Time) ([]peer.ID, error) {
	n := req.Count
	if n <= 0 || n > maxSelect {
		n = 1
	}
	return c.AppendSelect(make([]peer.ID, 0, n), req, now)
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
// unknown shards as the UnknownShards mode says; not cooling down after a
// replacement; not in dial backoff unless connected; not excluded. The
// policy orders them (see Policy).
//
// Fewer than Count peers is not an error. No peer at all is a
// *SelectionError whose Reason says why; a malformed request wraps
// ErrInvalidRequest.
func (c *SelectorCore) AppendSelect(dst []peer.ID, req Request, now time.Time) ([]peer.ID, error) {
	ref, shard, err := c.resolve(&req)
	if err != nil {
		return dst, err
	}
	ps := &c.protos[ref].policy
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
func (c *SelectorCore) resolve(req *Request) (book.ProtocolRef, shardmesh.Shard, error) {
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
	ref, ok := c.book.Protocol(string(req.Protocol))
	if !ok {
		c.stats.untracked++
		return 0, shard, &SelectionError{Protocol: req.Protocol, Shard: shard, Reason: ErrUntrackedProtocol}
	}
	return ref, shard, nil
}

// coolingDown reports whether id was replaced for protocol ref and its
// cooldown has not expired at now.
func (c *SelectorCore) coolingDown(id peer.ID, ref book.ProtocolRef, now time.Time) bool {
	if len(c.cooldown) == 0 {
		return false
	}
	until, ok := c.cooldown[peerProto{id, ref}]
	return ok && now.Before(until)
}

// CoolingDownUntil returns when id may serve protocol proto again, and
// false when it is not cooling down at now.
func (c *SelectorCore) CoolingDownUntil(id peer.ID, proto protocol.ID, now time.Time) (time.Time, bool) {
	ref, ok := c.book.Protocol(string(proto))
	if !ok || !c.coolingDown(id, ref, now) {
		return time.Time{}, false
	}
	return c.cooldown[peerProto{id, ref}], true
}

// Failures returns id's consecutive counted failures for protocol proto.
func (c *SelectorCore) Failures(id peer.ID, proto protocol.ID) int {
	ref, ok := c.book.Protocol(string(proto))
	if !ok {
		return 0
	}
	return c.failures[peerProto{id, ref}]
}

// Tick expires cooldowns and the book's stale metadata
// (Book.ExpireMetadata): pools left short while every candidate was
// cooling down are refilled, pools whose members no longer advertise the
// shard are brought up to date, and forgotten state (cooldowns past,
// failure counts of peers that left the book) is dropped. Call it every few
// seconds.
func (c *SelectorCore) Tick(now time.Time) {
	c.expired = c.book.ExpireMetadata(c.expired[:0], now)
	for _, id := range c.expired {
		if c.inPools[peer.ID(id)] > 0 {
			c.PeerUpdated(peer.ID(id), now)
		}
	}
	for k, until := range c.cooldown {
		if !now.Before(until) {
			delete(c.cooldown, k)
		}
	}
	for k := range c.failures {
		if c.book.Get(peerid.ID(k.id)) == nil && c.inPools[k.id] == 0 {
			delete(c.failures, k)
		}
	}
	for _, pl := range c.poolList {
		if len(pl.members) < pl.target {
			c.maintain(pl, "", now)
		}
	}
}

// Events returns the events since the last call. The slice is reused: it
// is valid until the next call of any SelectorCore method.
func (c *SelectorCore) Events() []SelectorEvent {
	ev := c.events
	c.events = c.events[:0]
	return ev
}

func (c *SelectorCore) emit(e SelectorEvent) { c.events = append(c.events, e) }
