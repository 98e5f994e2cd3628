package shardmesh

import (
	"fmt"
	"math"
)

// DefaultScoreThreshold is the gossipsub score below which a mesh peer does
// not count towards a shard's health: the Waku publish threshold, -1000
// (nwaku waku/waku_relay/protocol.nim and go-waku protocol/relay/config.go;
// go-waku's health check uses the same cut-off in
// peermanager/peer_manager.go:156-167). Gossipsub itself prunes mesh peers
// whose score turns negative at its next heartbeat; the threshold only matters
// in between or with a custom router.
const DefaultScoreThreshold = -1000.0

// DefaultMaxPeers is how many peers the Tracker holds state for before it
// stops recording new peers that are not in a mesh (WithMaxPeers). It is
// well above the connection limit of a Waku relay node (nwaku and go-waku
// default to 50 connections; large fleet nodes run a few hundred), and
// costs about 300 KB when full.
const DefaultMaxPeers = 1024

// Option configures a Tracker (NewTracker).
type Option func(*config) error

// OptionError reports an invalid option. Err, when set, is the underlying
// typed error (a *ThresholdsError for WithThresholds).
type OptionError struct {
	Option string
	Reason string
	Err    error
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("shardmesh: invalid option %s: %s", e.Option, e.Reason)
}

// Unwrap returns Err.
func (e *OptionError) Unwrap() error { return e.Err }

type config struct {
	thresholds     Thresholds
	scoreThreshold float64
	cluster        uint16
	clusterSet     bool
	maxPeers       int
}

func defaultConfig() config {
	return config{thresholds: DefaultThresholds, scoreThreshold: DefaultScoreThreshold, maxPeers: DefaultMaxPeers}
}

// WithThresholds sets the mesh sizes at which a shard becomes MinimallyHealthy
// and SufficientlyHealthy. It fails unless 1 <= Minimal <= Sufficient, with
// an *OptionError wrapping a *ThresholdsError.
func WithThresholds(t Thresholds) Option {
	return func(c *config) error {
		if err := t.Validate(); err != nil {
			return &OptionError{Option: "WithThresholds", Reason: "want 1 <= Minimal <= Sufficient", Err: err}
		}
		c.thresholds = t
		return nil
	}
}

// WithScoreThreshold sets the gossipsub score below which a mesh peer is not
// counted (see SetScore). Use math.Inf(-1) to count every mesh peer.
// NaN is rejected.
func WithScoreThreshold(threshold float64) Option {
	return func(c *config) error {
		if math.IsNaN(threshold) {
			return &OptionError{Option: "WithScoreThreshold", Reason: "NaN"}
		}
		c.scoreThreshold = threshold
		return nil
	}
}

// WithCluster sets our cluster: the Tracker records the shards of this
// cluster that peers announce (Announce) and ignores those of every other
// cluster, so that a peer's announcements cost constant time and memory.
// Without it, the Tracker takes the cluster of the first shard it joins;
// announcements that arrive before that are kept, per peer, for the cluster
// of the peer's first announced shard. Set it whenever the cluster is known
// before gossipsub starts (a node is in one cluster).
func WithCluster(cluster uint16) Option {
	return func(c *config) error {
		c.cluster, c.clusterSet = cluster, true
		return nil
	}
}

// WithMaxPeers bounds the peers the Tracker holds state for (default
// DefaultMaxPeers). A peer that connects and announces topics but never
// enters a mesh would otherwise cost memory until its shell reports it gone;
// at the bound, HeardFrom, Announce and SetDirection of a new peer are not
// recorded (TrackerStats.UnrecordedPeers). Grafts are always recorded, so
// mesh membership and health are never lost (meshes are bounded by
// gossipsub's Dhi per shard). Set it above the node's connection limit.
// n must be at least 1.
func WithMaxPeers(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return &OptionError{Option: "WithMaxPeers", Reason: "must be at least 1"}
		}
		c.maxPeers = n
		return nil
	}
}
