package relay

import (
	"errors"
	"fmt"
	"time"
)

// DialStrategy selects how the core chooses whom to dial.
type DialStrategy uint8

// Dial strategies.
const (
	// DialByCoverage (ours): per-shard floors; greedy choice of the
	// candidates covering the most under-floor shards.
	DialByCoverage DialStrategy = iota + 1
	// DialGlobalRandom (nwaku's default connectToRelayPeers, pm.nim:545-578):
	// fill the global outbound target from random dialable peers, with no
	// shard or protocol filter.
	DialGlobalRandom
	// DialDividedTargets (nwaku's --relay-shard-manager, manageRelayPeers,
	// pm.nim:812-895): per shard, outbound target / number of shards,
	// counted by ENR shards only; random relay-capable candidates.
	DialDividedTargets
	// DialPerTopicGlobalTarget (go-waku's connectivity loop,
	// peer_manager.go:374-537): per shard, dial until the connected peers
	// whose metadata lists it reach the global outbound target, or while
	// the mesh is not sufficiently healthy.
	DialPerTopicGlobalTarget
)

var dialStrategyText = [...]string{"", "coverage", "global-random", "divided-targets", "per-topic-global-target"}

func (d DialStrategy) String() string {
	if int(d) < len(dialStrategyText) && d != 0 {
		return dialStrategyText[d]
	}
	return "dial-strategy?"
}

// PruneStrategy selects how the core sheds connections above its targets.
type PruneStrategy uint8

// Prune strategies.
const (
	// PruneByCoverage (ours, after Lighthouse's prune_excess_peers): never
	// take a shard under its floor, keep the outbound quota, drop peers on
	// no subscribed shard first, then peers of the most over-served shards
	// covering the fewest of our shards.
	PruneByCoverage PruneStrategy = iota + 1
	// PruneInboundExcess (nwaku, go-waku): close inbound relay peers above
	// the inbound target in connection-list order; outbound never pruned.
	PruneInboundExcess
	// PruneInboundDivided (nwaku --relay-shard-manager): the inbound excess
	// is summed over shards against inbound target / number of shards, then
	// that many inbound peers are closed in list order.
	PruneInboundDivided
)

var pruneStrategyText = [...]string{"", "coverage", "inbound-excess", "inbound-divided"}

func (p PruneStrategy) String() string {
	if int(p) < len(pruneStrategyText) && p != 0 {
		return pruneStrategyText[p]
	}
	return "prune-strategy?"
}

// Config is the relay core's configuration: how it dials, prunes and backs
// off. DefaultConfig returns ours; NwakuPreset and GoWakuPreset reproduce
// the other implementations' behaviour in the same core. Durations are
// virtual: the core never reads a clock.
type Config struct {
	// Name labels the configuration in logs, metrics and reports.
	Name string
	// Cluster is our cluster; peers of other clusters are never dialled.
	Cluster uint16
	// Seed seeds the core's random choices (same seed, same decisions).
	Seed uint64

	// ShardFloor is the per-shard floor: connected relay peers advertising
	// a subscribed shard (a peer on several counts for each). Default Dlo=4.
	ShardFloor int
	// ShardOutboundFloor is how many of those should be outbound, so that
	// gossipsub can keep its Dout outbound mesh peers. Default Dout=2.
	ShardOutboundFloor int
	// UnhealthyExtra raises a shard's floor while the tracker reports it
	// below shardmesh.SufficientlyHealthy: connected peers are not always mesh peers.
	UnhealthyExtra int
	// UnhealthyExtraMax: while a shard stays below SufficientlyHealthy with
	// its raised floor met and no dial in flight, each tick raises it by one
	// more, up to this many above ShardFloor (peers at Dhi, or in gossipsub's
	// prune backoff, refuse our grafts; more peers give more chances).
	UnhealthyExtraMax int
	// InboundTarget and OutboundTarget are the global relay targets (from
	// the slots budget). Dials for under-floor shards may use inbound room
	// left unused and the headroom: the total stays within
	// InboundTarget+OutboundTarget plus DialHeadroom.
	InboundTarget, OutboundTarget int
	// OutboundQuota: pruning never takes outbound relay peers below it.
	OutboundQuota int
	// DialHeadroom lets dials for under-floor shards take the relay total
	// above InboundTarget+OutboundTarget by this fraction (Lighthouse dials
	// up to 1.1 × target): pruning then swaps peers no shard needs for the
	// ones just dialled instead of deadlocking on a full budget. The extra
	// peers are slots.HeadroomOf(in+out, DialHeadroom), as the gater.Gater
	// computes them; WithBudget takes it from slots.Budget.DialHeadroom.
	DialHeadroom float64

	Dial DialStrategy
	// MaxDialsInFlight bounds concurrent dials.
	MaxDialsInFlight int
	// DialTimeout is the shell's dial timeout; the core forgets a dial
	// that has not completed after twice this long.
	DialTimeout time.Duration
	// CandidateSample bounds how many candidates per under-floor shard the
	// coverage strategy examines per pass (keeps a pass O(shards × sample)
	// whatever the book size).
	CandidateSample int
	// ColocationLimit is the number of connected peers allowed per IP
	// (0: no limit). Candidates over it are not dialled.
	ColocationLimit int
	// ColocationIPv6Bits groups IPv6 addresses by this prefix length for
	// ColocationLimit (0 or 128: per address, as nwaku and go-waku count).
	// One host or subscriber line usually gets a whole /64, so a limit per
	// IPv6 address does not limit anyone.
	ColocationIPv6Bits int
	// ColocationDropOldest: above the limit, disconnect and forget the
	// oldest peers on the IP (nwaku) instead of the newcomer (ours).
	ColocationDropOldest bool
	// DialOnEvents: fill deficits as soon as an event creates one
	// (disconnection, failed dial, discovery, subscription), not only on
	// Tick. DialOnSubscribe alone reacts to subscriptions only (go-waku).
	DialOnEvents    bool
	DialOnSubscribe bool
	// DialDiscoveredBelow dials a newly discovered peer at once while fewer
	// than this many peers are connected (go-waku: OutPeersTarget); 0: off.
	DialDiscoveredBelow int

	Prune PruneStrategy
	// PruneGrace: connections younger than this are not pruned (identify
	// and metadata need a moment to say what the peer serves).
	PruneGrace time.Duration
	// PruneCooldown: for this long, a peer we pruned or that closed on us
	// is dialled only as the last candidate of a shard below its floor,
	// never to fill the outbound target (0: it may be redialled at once, as
	// nwaku and go-waku allow).
	PruneCooldown time.Duration
	// EarlyCloseWindow: an outbound connection we dialled that the peer
	// closes within this long counts as a failed dial for backoff. A peer
	// at its connection limit often completes the transport handshake and
	// then closes at once (its resource manager, connection gater or a
	// max-connections check), so the dial looks successful; without this
	// rule the success resets the backoff and the peer is redialled over
	// and over. 0: every connection counts as a success (nwaku resets its
	// failure count on connect; go-waku never resets).
	EarlyCloseWindow time.Duration
	// InboundPruneOrder: which inbound peers the inbound-excess strategies
	// close first.
	InboundPruneOrder InboundPruneOrder
	// InboundCheckOnConnect disconnects a new inbound relay peer at once
	// when inbound relay peers exceed the inbound target (nwaku onPeerEvent).
	InboundCheckOnConnect bool
	// ProtectFloorPeers asks the connection manager to protect the peers a
	// shard's floor depends on.
	ProtectFloorPeers bool

	Backoff Backoff

	// OnDemandDiscovery asks discovery for peers on an under-floor shard
	// that has too few candidates.
	OnDemandDiscovery bool
	// DiscoveryBatch is how many peers a Discover action asks for.
	DiscoveryBatch int
	// DiscoveryDedup keeps one request in flight per shard until
	// DiscoveryDone or DiscoveryTimeout.
	DiscoveryDedup   bool
	DiscoveryTimeout time.Duration

	// UnsubscribeDisconnects closes, on unsubscribe, connected peers whose
	// only shard was the one left, service peers included (go-waku).
	UnsubscribeDisconnects bool
	// MetadataFailure says what a failed metadata exchange does.
	MetadataFailure MetadataFailureRule
	// ForgetMisfits removes peers disconnected for cluster mismatch,
	// metadata failure or colocation from the book (nwaku deletes them).
	ForgetMisfits bool
	// TrustGossipsubTopics: a connected peer's shards are the shard topics
	// it announced in gossipsub (TopicsAnnounced) once it announced any,
	// whatever its ENR and metadata advertise, for floors, coverage and
	// pruning; they expire with its metadata after it disconnects. A peer
	// that advertises shards it never joins then counts for none of them
	// and is pruned as on no subscribed shard. Off: advertisements only
	// (nwaku), or advertisements plus the topics joined
	// (GossipsubJoinsAddShards, go-waku).
	TrustGossipsubTopics bool
	// GossipsubTopicsGrace: announcements of a peer connected for less
	// than this are not used yet (its gossipsub hello may be on its way).
	GossipsubTopicsGrace time.Duration
	// GossipsubTopicsCountAfter, when positive and below the grace: a
	// peer connected for that long whose gossipsub announcements name
	// none of a shard stops counting on it at once (it no longer holds up
	// the shard's floor, so the node dials a replacement), while eviction
	// (EvictOffShard) still waits for the whole grace. An honest peer's
	// hello comes one round trip after the stream opens; a late one only
	// costs a spare dial, as the peer counts again once it is heard.
	GossipsubTopicsCountAfter time.Duration
	// EvictOffShard: while a subscribed shard is short, connected relay
	// peers whose gossipsub announcements name none of our shards give up
	// their slots to peers on our shards, even below the targets and the
	// outbound quota (see evictOffShard). Needs TrustGossipsubTopics and
	// the coverage dial strategy. Off: such peers go only above target
	// (nwaku never knows them; go-waku keeps counting a peer on the shards
	// it advertised until it leaves one it had joined).
	EvictOffShard bool
	// DistrustBroadClaims: after a connected peer's gossipsub
	// announcements name none of the subscribed shards it advertised (in
	// its ENR or metadata), and for this long after the last such peer,
	// the coverage strategy ranks candidates first by the share of their
	// advertised shards that it wants, then by coverage. A peer that
	// advertises every shard and joins none covers every short shard, so
	// plain coverage dials all such peers before any honest one, one
	// round per GossipsubTopicsCountAfter. Needs TrustGossipsubTopics and
	// the coverage dial strategy. 0: coverage first, always.
	DistrustBroadClaims time.Duration
	// DialCountsFor, when positive: a dial in flight for longer stops
	// counting toward its shards' deficits (RELAY-35), so a short shard
	// dials another peer while it goes on; it still takes a dial slot
	// until it ends or DialTimeout runs out. A live peer answers within a
	// few round trips; a departed one only times out, and each such dial
	// otherwise held the shard for the whole DialTimeout. 0: a dial counts
	// until it ends.
	DialCountsFor time.Duration
	// DeferFailedUnseen: a peer whose last dial failed and that discovery
	// has not returned since is dialled only after every other candidate
	// (with the peers in their prune cooldown): under churn it has most
	// likely left, and discovery returning it again is the evidence that
	// it may be back. Needs the coverage dial strategy. Off: such a peer
	// is an ordinary candidate again once its backoff ends.
	DeferFailedUnseen bool
	// DisconnectRelayWithoutShards disconnects relay peers whose metadata
	// lists no shard (go-waku).
	DisconnectRelayWithoutShards bool
	// GossipsubJoinsAddShards: a shard topic of ours that a connected peer
	// joins in gossipsub (TopicsAnnounced) is added to the shards it
	// advertised, and one it leaves again is taken away; shards it never
	// joins stay as advertised (go-waku handlerPeerTopicEvent). Excludes
	// TrustGossipsubTopics, which replaces the advertised shards.
	GossipsubJoinsAddShards bool
	// DisconnectOnShardMismatch: a connected peer that joins one of our
	// shard topics in gossipsub is disconnected when its metadata lists
	// none of our shards (go-waku DisconnectPeerOnShardMismatch).
	DisconnectOnShardMismatch bool

	// TickInterval is the period between ticks.
	TickInterval time.Duration
	// DynamicTick shortens the interval with the deficit like nwaku's
	// relayConnectivityLoop (pm.nim:983-1004): TickInterval × min(inF, outF),
	// at least one second.
	DynamicTick bool
}

// MetadataFailureRule says whether a failed metadata exchange (no answer,
// protocol not supported, no cluster id) disconnects the peer.
type MetadataFailureRule uint8

// Metadata failure rules.
const (
	// DisconnectOnTWN disconnects on The Waku Network (cluster 1), where
	// 64/WAKU2-NETWORK requires it, and keeps the peer elsewhere, where
	// 66/WAKU2-METADATA leaves it open (ours).
	DisconnectOnTWN MetadataFailureRule = iota
	// AlwaysDisconnect on failure (nwaku refreshPeerMetadata, pm.nim:637-670).
	AlwaysDisconnect
	// NeverDisconnect on failure.
	NeverDisconnect
	// DisconnectWithCluster disconnects whenever a cluster is configured
	// (Cluster != 0), as go-waku's metadata protocol does
	// (waku/v2/protocol/metadata/waku_metadata.go:231-241 at 84a4b1be).
	DisconnectWithCluster
)

// InboundPruneOrder says in which order the inbound-excess strategies
// (PruneInboundExcess, PruneInboundDivided) close inbound relay peers.
type InboundPruneOrder uint8

// Inbound prune orders.
const (
	// OldestFirst closes the longest-connected inbound peers first.
	OldestFirst InboundPruneOrder = iota
	// NewestFirst closes the most recent inbound peers first.
	NewestFirst
	// ArbitraryOrder closes inbound peers in an order unrelated to their
	// age, drawn from the seeded random source: nwaku takes the first N of
	// its connection table, iterated in hash order (pruneInRelayConns,
	// waku/node/peer_manager/peer_manager.nim:1006-1015 and connectedPeers
	// :482-496 at 7d1c6aba); go-waku closes from index InPeersTarget on of
	// its peer store's list, built from a Go map (pruneInRelayConns,
	// waku/v2/peermanager/peer_manager.go:519-537 at 84a4b1be).
	ArbitraryOrder
)

// ErrInvalidConfig wraps every configuration error.
var ErrInvalidConfig = errors.New("relay: invalid config")

// Validate checks the config and says which field is wrong.
func (c Config) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, a...))
	}
	switch {
	case c.ShardFloor < 0 || c.ShardOutboundFloor < 0 || c.UnhealthyExtra < 0:
		return bad("negative shard floor")
	case c.UnhealthyExtraMax != 0 && c.UnhealthyExtraMax < c.UnhealthyExtra:
		return bad("UnhealthyExtraMax %d below UnhealthyExtra %d", c.UnhealthyExtraMax, c.UnhealthyExtra)
	case c.ShardOutboundFloor > c.ShardFloor && c.Dial == DialByCoverage:
		return bad("outbound floor %d above the shard floor %d", c.ShardOutboundFloor, c.ShardFloor)
	case c.InboundTarget < 0 || c.OutboundTarget < 0 || c.OutboundQuota < 0:
		return bad("negative target")
	case c.DialHeadroom < 0 || c.DialHeadroom > 1:
		return bad("DialHeadroom %v, want in [0, 1]", c.DialHeadroom)
	case c.PruneCooldown < 0:
		return bad("negative PruneCooldown")
	case c.ColocationIPv6Bits < 0 || c.ColocationIPv6Bits > 128:
		return bad("ColocationIPv6Bits outside 0-128")
	case c.GossipsubTopicsGrace < 0:
		return bad("negative GossipsubTopicsGrace")
	case c.GossipsubTopicsCountAfter < 0 || c.GossipsubTopicsCountAfter > c.GossipsubTopicsGrace:
		return bad("GossipsubTopicsCountAfter %v, want in [0, GossipsubTopicsGrace]", c.GossipsubTopicsCountAfter)
	case c.EarlyCloseWindow < 0:
		return bad("negative EarlyCloseWindow")
	case c.GossipsubJoinsAddShards && c.TrustGossipsubTopics:
		return bad("GossipsubJoinsAddShards and TrustGossipsubTopics exclude each other")
	case c.DialCountsFor < 0:
		return bad("DialCountsFor %v, want >= 0", c.DialCountsFor)
	case c.DistrustBroadClaims < 0:
		return bad("DistrustBroadClaims %v, want >= 0", c.DistrustBroadClaims)
	case c.DistrustBroadClaims > 0 && (!c.TrustGossipsubTopics || c.Dial != DialByCoverage):
		return bad("DistrustBroadClaims needs TrustGossipsubTopics and the coverage dial strategy")
	case c.EvictOffShard && (!c.TrustGossipsubTopics || c.Dial != DialByCoverage):
		return bad("EvictOffShard needs TrustGossipsubTopics and the coverage dial strategy")
	case c.DeferFailedUnseen && c.Dial != DialByCoverage:
		return bad("DeferFailedUnseen needs the coverage dial strategy")
	case c.OutboundQuota > c.OutboundTarget:
		return bad("outbound quota %d above the outbound target %d", c.OutboundQuota, c.OutboundTarget)
	case c.Dial < DialByCoverage || c.Dial > DialPerTopicGlobalTarget:
		return bad("unknown dial strategy %d", c.Dial)
	case c.Prune < PruneByCoverage || c.Prune > PruneInboundDivided:
		return bad("unknown prune strategy %d", c.Prune)
	case c.MaxDialsInFlight < 1:
		return bad("MaxDialsInFlight %d, want >= 1", c.MaxDialsInFlight)
	case c.DialTimeout <= 0:
		return bad("DialTimeout %v, want > 0", c.DialTimeout)
	case c.CandidateSample < 1:
		return bad("CandidateSample %d, want >= 1", c.CandidateSample)
	case c.ColocationLimit < 0 || c.DialDiscoveredBelow < 0 || c.PruneGrace < 0:
		return bad("negative limit")
	case c.OnDemandDiscovery && c.DiscoveryBatch < 1:
		return bad("DiscoveryBatch %d, want >= 1", c.DiscoveryBatch)
	case c.OnDemandDiscovery && c.DiscoveryDedup && c.DiscoveryTimeout <= 0:
		return bad("DiscoveryTimeout %v, want > 0", c.DiscoveryTimeout)
	case c.TickInterval <= 0:
		return bad("TickInterval %v, want > 0", c.TickInterval)
	case c.MetadataFailure > DisconnectWithCluster:
		return bad("unknown metadata failure rule %d", c.MetadataFailure)
	case c.InboundPruneOrder > ArbitraryOrder:
		return bad("unknown inbound prune order %d", c.InboundPruneOrder)
	}
	if err := c.Backoff.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

// ReadsGossipsubTopics reports whether the core uses TopicsAnnounced, so
// that the shell feeds it the tracker's announcements.
func (c Config) ReadsGossipsubTopics() bool {
	return c.TrustGossipsubTopics || c.GossipsubJoinsAddShards || c.DisconnectOnShardMismatch
}
