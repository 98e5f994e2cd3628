package selection

import (
	"errors"
	"fmt"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// Policy is how the selector orders eligible service peers.
type Policy uint8

// Selection policies. In a Request, PolicyDefault means the protocol's
// configured policy; in a ProtocolConfig it is invalid.
const (
	PolicyDefault Policy = iota
	// PolicyConnectedFirst (ours): connected peers first, in random order,
	// then dialable ones, then (last resort) peers whose shards are unknown.
	// A light client never redials a dead peer while a live one would do.
	PolicyConnectedFirst
	// PolicyRandom ignores connectedness: a uniform draw over every
	// eligible peer (go-waku's selection before PR #1309).
	PolicyRandom
	// PolicyLowestRTT: within each connectedness tier, peers with a
	// measured RTT (EWMA) by increasing RTT, then unmeasured peers.
	PolicyLowestRTT
	// PolicyPinnedFirst: the protocol's pinned peers first (in configured
	// order, e.g. status-go's pinned store node), then PolicyConnectedFirst.
	// (Pinned peers come first under every policy; this one names the
	// rest.)
	PolicyPinnedFirst
	// PolicyFastest: a random choice among the fastest candidates by RTT,
	// the fastest quarter of a tier and at least 3: go-waku's store-node
	// choice (waku/v2/api/history/cycle.go findNewStorenode: poolSize,
	// minStorenodesToChooseFrom), which spreads a fleet's clients over its
	// nearby nodes instead of piling them on the single nearest.
	PolicyFastest

	numPolicies
)

var policyText = [...]string{"default", "connected-first", "random", "lowest-rtt", "pinned-first", "fastest"}

func (p Policy) String() string {
	if p < numPolicies {
		return policyText[p]
	}
	return "policy?"
}

// ParsePolicy is the inverse of Policy.String.
func ParsePolicy(s string) (Policy, bool) {
	for p, t := range policyText {
		if t == s {
			return Policy(p), true
		}
	}
	return 0, false
}

// UnknownShards says when peers whose shards are not known yet (no ENR
// shard entry, no metadata exchange) may be selected.
type UnknownShards uint8

// Modes for peers of unknown shards.
const (
	// UnknownShardsLastResort (ours): only when no peer known to be on the
	// shard is eligible.
	UnknownShardsLastResort UnknownShards = iota + 1
	// UnknownShardsNever: never (go-waku filters by the peer's topics).
	UnknownShardsNever
	// UnknownShardsAlongside: as if they were on the shard (js-waku lets
	// "peers we don't know information about yet" pass).
	UnknownShardsAlongside
)

var unknownShardsText = [...]string{"", "last-resort", "never", "alongside"}

func (u UnknownShards) String() string {
	if u != 0 && int(u) < len(unknownShardsText) {
		return unknownShardsText[u]
	}
	return "unknown-shards?"
}

// ReplacementRule says when a pool member is replaced and for how long a
// replaced peer is benched: left out of every pool and every selection of
// the protocol. (Benching is the selector's word; the relay core's
// relay.Config.PruneCooldown is another mechanism.)
type ReplacementRule struct {
	// MaxFailures is the number of consecutive counted failures after which
	// the peer is replaced; 0 never replaces on counted failures. A success
	// resets the count.
	MaxFailures int
	// Counted are the outcomes that count as failures.
	Counted OutcomeSet
	// Immediate are the outcomes that replace the peer at once, whatever
	// its count (e.g. 421: the peer does not serve the shard).
	Immediate OutcomeSet
	// BenchFor is how long a replaced peer is not selected again for the
	// protocol (on any shard). 0: it may come back at the next selection.
	BenchFor time.Duration
	// RateLimitBenchFor replaces BenchFor when the replacement was caused
	// by a 429: the server told us how it feels.
	RateLimitBenchFor time.Duration
}

// ProtocolConfig is how one service protocol's peers are chosen and kept.
type ProtocolConfig struct {
	// Protocol is the protocol id; it must be tracked by the book.
	Protocol string
	// PoolSize is how many peers a request gets when it does not say
	// (Request.Count 0), and the size of the sticky pool.
	PoolSize int
	// Sticky keeps the same peers per (protocol, shard) until they fail.
	// When false every selection draws anew (go-waku).
	Sticky bool
	// Policy orders the candidates when a request does not name one.
	Policy Policy
	// Pinned are user-configured peers (status-go's pinned store node)
	// put first, whatever the policy; Core.Pin and Core.PinFor change
	// them at runtime. They are trusted to serve the
	// protocol on any shard; benching and exclusions still apply.
	Pinned []peerid.ID
	// Replace is the replacement rule.
	Replace ReplacementRule
}

// Config is how a light client chooses and keeps its service peers.
// DefaultConfig returns ours; JSWakuPreset and GoWakuPreset reproduce the
// other clients' choices in the same selector. Durations are virtual: the
// Core never reads a clock.
type Config struct {
	// Name labels the configuration (a preset) in logs, metrics and reports.
	Name string
	// Cluster is our cluster: requests for shards of another cluster are
	// refused, and peers of another cluster are never indexed by the book.
	Cluster uint16
	// Seed seeds the random choices (same seed, same inputs: same picks).
	Seed uint64
	// Protocols configures each service protocol; protocols the book
	// tracks but that are not listed get Fallback.
	Protocols []ProtocolConfig
	// Fallback is used for tracked protocols not listed in Protocols (its
	// Protocol field is ignored).
	Fallback ProtocolConfig
	// UnknownShards says when peers of unknown shards may be selected.
	UnknownShards UnknownShards
	// ConnectedOnly selects connected peers only, never dialable ones
	// (js-waku).
	ConnectedOnly bool
	// UnmeasuredRTTFirst puts peers without an RTT before measured ones in
	// PolicyLowestRTT (js-waku sorts a missing ping as -1); ours puts them
	// after.
	UnmeasuredRTTFirst bool
	// HealthFilterPeers and HealthLightPushPeers are the numbers of live
	// filter and light-push pool members on a shard from which the shard is
	// SufficientlyHealthy for a light client; with at least one of each it
	// is MinimallyHealthy, with none of either Unhealthy. 0 leaves the
	// protocol out of the health; both 0 disables it.
	HealthFilterPeers    int
	HealthLightPushPeers int
	// AutoshardingShards is the number of shards content topics map to in
	// our cluster (8 on The Waku Network); 0 refuses requests by content
	// topic.
	AutoshardingShards uint16
	// DisconnectGrace is how long a pool member's lost connection waits
	// before it is reported as OutcomeDisconnected (see online.go): a loss
	// during which the client was offline (SetOnline(false), or no
	// connection left at all), one the client caused (ExpectDisconnect) or
	// one that healed within the grace is not the peer's failure. 0
	// reports at once, as before, unless the client is offline then.
	DisconnectGrace time.Duration
	// Shards are shards of interest declared up front (a community's shard):
	// light-client health is graded for them before any Select, and
	// their filter and light-push pools are created and filled at once.
	Shards []uint16
}

// ErrInvalidConfig is wrapped by every error of
// Config.Validate.
var ErrInvalidConfig = errors.New("selection: invalid config")

// Validate reports the first inconsistency of the configuration.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	switch c.UnknownShards {
	case UnknownShardsLastResort, UnknownShardsNever, UnknownShardsAlongside:
	default:
		return bad("UnknownShards %d is not a mode", c.UnknownShards)
	}
	if c.DisconnectGrace < 0 {
		return bad("negative DisconnectGrace %v", c.DisconnectGrace)
	}
	for _, s := range c.Shards {
		if s > shardmesh.MaxShardIndex {
			return bad("shard of interest %d above %d", s, shardmesh.MaxShardIndex)
		}
	}
	if c.HealthFilterPeers < 0 || c.HealthLightPushPeers < 0 {
		return bad("negative health threshold (filter %d, light push %d)", c.HealthFilterPeers, c.HealthLightPushPeers)
	}
	seen := make(map[string]bool, len(c.Protocols))
	for _, p := range c.Protocols {
		if p.Protocol == "" {
			return bad("a protocol config has an empty protocol id")
		}
		if seen[p.Protocol] {
			return bad("protocol %q configured twice", p.Protocol)
		}
		seen[p.Protocol] = true
		if err := p.validate(); err != nil {
			return bad("protocol %q: %v", p.Protocol, err)
		}
	}
	if err := c.Fallback.validate(); err != nil {
		return bad("fallback: %v", err)
	}
	return nil
}

func (p ProtocolConfig) validate() error {
	if p.PoolSize < 1 || p.PoolSize > maxSelect {
		return fmt.Errorf("pool size %d, want 1..%d", p.PoolSize, maxSelect)
	}
	if p.Policy == PolicyDefault || p.Policy >= numPolicies {
		return fmt.Errorf("policy %d is not a policy", p.Policy)
	}
	r := p.Replace
	if r.MaxFailures < 0 {
		return fmt.Errorf("negative MaxFailures %d", r.MaxFailures)
	}
	if r.BenchFor < 0 || r.RateLimitBenchFor < 0 {
		return fmt.Errorf("negative bench time (%v, rate limit %v)", r.BenchFor, r.RateLimitBenchFor)
	}
	if (r.Counted | r.Immediate).Has(OutcomeSuccess) {
		return errors.New("success cannot count as a failure")
	}
	seen := make(map[peerid.ID]bool, len(p.Pinned))
	for _, id := range p.Pinned {
		if id == "" || seen[id] {
			return fmt.Errorf("pinned peer %q empty or repeated", id)
		}
		seen[id] = true
	}
	return nil
}

// maxSelect bounds how many peers one request may ask for: service pools
// are small by nature, and the bound keeps selection allocation-free.
const maxSelect = 64
