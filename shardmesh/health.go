package shardmesh

import "fmt"

// Health is the state of our gossipsub mesh on one shard. Levels are ordered:
// a higher value is healthier, so the weakest of several shards is their
// minimum.
type Health uint8

// Health levels, the same three nwaku reports per pubsub topic
// (waku/waku_relay/protocol.nim: TopicHealth).
const (
	// Unhealthy: no counted mesh peer. We can neither receive nor forward
	// relay traffic on the shard.
	Unhealthy Health = iota
	// MinimallyHealthy: at least Thresholds.Minimal counted mesh peers but
	// fewer than Thresholds.Sufficient. Traffic flows, with little redundancy.
	MinimallyHealthy
	// SufficientlyHealthy: at least Thresholds.Sufficient counted mesh peers
	// (by default gossipsub's Dlo, below which it grafts more).
	SufficientlyHealthy
)

var healthText = [...]string{
	Unhealthy:           "unhealthy",
	MinimallyHealthy:    "minimally_healthy",
	SufficientlyHealthy: "sufficiently_healthy",
}

// String returns the level in snake case, as used in metric labels and logs.
func (h Health) String() string {
	if int(h) < len(healthText) {
		return healthText[h]
	}
	return fmt.Sprintf("Health(%d)", uint8(h))
}

// Thresholds turn a number of counted mesh peers into a Health level.
type Thresholds struct {
	// Minimal is the number of counted mesh peers from which a shard is
	// MinimallyHealthy. It is at least 1.
	Minimal int
	// Sufficient is the number of counted mesh peers from which a shard is
	// SufficientlyHealthy. It is at least Minimal.
	Sufficient int
}

// DefaultThresholds are nwaku's: 0 peers is Unhealthy, 1 to Dlo-1 is
// MinimallyHealthy, Dlo (4) or more is SufficientlyHealthy
// (nwaku waku/waku_relay/protocol.nim:418-460; go-waku
// peermanager/peer_manager.go:30-49 uses the same cut-offs).
var DefaultThresholds = Thresholds{Minimal: 1, Sufficient: 4}

// Validate reports whether t can order levels: 1 <= Minimal <= Sufficient.
func (t Thresholds) Validate() error {
	if t.Minimal < 1 || t.Sufficient < t.Minimal {
		return &ThresholdsError{Thresholds: t}
	}
	return nil
}

// Level returns the health of a shard with counted mesh peers.
func (t Thresholds) Level(counted int) Health {
	switch {
	case counted >= t.Sufficient:
		return SufficientlyHealthy
	case counted >= t.Minimal:
		return MinimallyHealthy
	default:
		return Unhealthy
	}
}

// ThresholdsError reports Thresholds that cannot order the levels.
type ThresholdsError struct {
	Thresholds Thresholds
}

func (e *ThresholdsError) Error() string {
	return fmt.Sprintf("shardmesh: invalid health thresholds minimal=%d sufficient=%d: want 1 <= minimal <= sufficient",
		e.Thresholds.Minimal, e.Thresholds.Sufficient)
}

// ShardHealth is the state of our mesh on one joined shard.
type ShardHealth struct {
	Shard Shard
	// MeshPeers is the number of peers in our gossipsub mesh for the shard.
	MeshPeers int
	// OutboundMeshPeers is how many of them we dialled. Gossipsub keeps at
	// least Dout of these as its guard against eclipse by inbound peers.
	OutboundMeshPeers int
	// LowScoreMeshPeers is how many mesh peers have a gossipsub score below
	// the tracker's score threshold; they do not count towards Health.
	LowScoreMeshPeers int
	// Health is the level of MeshPeers - LowScoreMeshPeers.
	Health Health
}

// CountedPeers is the number of mesh peers that count towards Health.
func (s ShardHealth) CountedPeers() int { return s.MeshPeers - s.LowScoreMeshPeers }

// NodeHealth summarises the shards we have joined.
type NodeHealth struct {
	// Health is the level of the weakest joined shard, or Unhealthy when no
	// shard is joined (a relay node on no shard relays nothing).
	Health Health
	// Shards is the number of joined shards.
	Shards int
	// Unhealthy, MinimallyHealthy and SufficientlyHealthy count the joined
	// shards at each level; they add up to Shards.
	Unhealthy, MinimallyHealthy, SufficientlyHealthy int
}
