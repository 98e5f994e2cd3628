package peermanager

import (
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/shardmesh"
)

// SelectorEventKind says what a SelectorEvent reports.
type SelectorEventKind uint8

// Kinds of selector events.
const (
	// EventPeerReplaced: Peer left the pool of (Protocol, Shard) because of
	// Outcome; Replacement took its place (empty when no peer was
	// eligible).
	EventPeerReplaced SelectorEventKind = iota + 1
	// EventPeerReleased: Peer left the pool because it is no longer
	// eligible (the book says it left the shard or does not serve the
	// protocol, or it disconnected from a connected-only pool); Replacement
	// took its place (empty when no peer was eligible).
	EventPeerReleased
	// EventPoolDegraded: the pool of (Protocol, Shard) has fewer live
	// (connected) members than its target.
	EventPoolDegraded
	// EventPoolRestored: the pool is back to its target of live members.
	EventPoolRestored
	// EventHealthChanged: the light-client health of Shard changed.
	EventHealthChanged
)

var selectorEventText = [...]string{"", "peer-replaced", "peer-released", "pool-degraded", "pool-restored", "health-changed"}

func (k SelectorEventKind) String() string {
	if k != 0 && int(k) < len(selectorEventText) {
		return selectorEventText[k]
	}
	return "selector-event?"
}

// SelectorEvent tells the client that a pool or a shard's health changed.
// Events are delivered without ever blocking the selector: a client that
// does not keep up loses events (counted), never stalls selection; the
// current state is always readable with Pool and Health.
type SelectorEvent struct {
	Kind     SelectorEventKind
	Protocol protocol.ID
	Shard    shardmesh.Shard
	// Peer is the replaced peer (EventPeerReplaced).
	Peer peer.ID
	// Replacement is the peer that took its place, if any.
	Replacement peer.ID
	// Outcome caused the replacement.
	Outcome Outcome
	// Live and Target are the pool's live members and target size after
	// the change (pool events).
	Live, Target int
	// Health is the shard's new light-client health (EventHealthChanged).
	Health LightHealth
}

// LightHealth is a shard's health for a light client, from the live
// members of its filter and light-push pools (p2p-reliability, js-waku
// health_indicator.ts, REFERENCE.md §4).
type LightHealth uint8

// Light-client health levels; higher is healthier.
const (
	// LightHealthUnknown: health is disabled, or the shard has no filter or
	// light-push pool.
	LightHealthUnknown LightHealth = iota
	// LightUnhealthy: no live peer for at least one counted protocol.
	LightUnhealthy
	// LightMinimallyHealthy: at least one live peer for each counted
	// protocol, fewer than the threshold for some.
	LightMinimallyHealthy
	// LightSufficientlyHealthy: at least the threshold for each.
	LightSufficientlyHealthy
)

var lightHealthText = [...]string{"unknown", "unhealthy", "minimally_healthy", "sufficiently_healthy"}

// String returns the level in snake case, as in metric labels.
func (h LightHealth) String() string {
	if int(h) < len(lightHealthText) {
		return lightHealthText[h]
	}
	return "health?"
}

// ParseLightHealth is the inverse of LightHealth.String.
func ParseLightHealth(s string) (LightHealth, bool) {
	for h, t := range lightHealthText {
		if t == s {
			return LightHealth(h), true
		}
	}
	return 0, false
}
