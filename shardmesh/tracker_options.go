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

// TrackerOption configures a Tracker.
type TrackerOption func(*trackerConfig) error

type trackerConfig struct {
	thresholds     Thresholds
	scoreThreshold float64
}

func defaultTrackerConfig() trackerConfig {
	return trackerConfig{thresholds: DefaultThresholds, scoreThreshold: DefaultScoreThreshold}
}

// WithThresholds sets the mesh sizes at which a shard becomes MinimallyHealthy
// and SufficientlyHealthy. It returns a *ThresholdsError unless
// 1 <= Minimal <= Sufficient.
func WithThresholds(t Thresholds) TrackerOption {
	return func(c *trackerConfig) error {
		if err := t.Validate(); err != nil {
			return err
		}
		c.thresholds = t
		return nil
	}
}

// WithScoreThreshold sets the gossipsub score below which a mesh peer is not
// counted (see SetScore). Use math.Inf(-1) to count every mesh peer.
// NaN is rejected.
func WithScoreThreshold(threshold float64) TrackerOption {
	return func(c *trackerConfig) error {
		if math.IsNaN(threshold) {
			return fmt.Errorf("shardmesh: score threshold is NaN")
		}
		c.scoreThreshold = threshold
		return nil
	}
}
