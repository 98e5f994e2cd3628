package selection

import (
	"slices"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// updateHealth recomputes the light-client health of k's shard when k is a
// filter or light-push pool, and notifies NotifyHealthChanged on a change.
func (c *Core) updateHealth(k poolKey) {
	counted := (c.hasFilter && k.ref == c.filterRef) || c.isLightPush(k.ref)
	if !counted {
		return
	}
	level := c.healthOf(k.shard)
	if old := c.health[k.shard]; old == level {
		return
	}
	if level == LightHealthUnknown {
		delete(c.health, k.shard)
	} else {
		c.health[k.shard] = level
	}
	c.notify(Notification{Kind: NotifyHealthChanged, Shard: c.shardOf(k), Health: level})
}

// healthOf grades a shard from the live members of its filter and
// light-push pools: no live peer of a counted protocol is Unhealthy, at
// least the threshold of each is Sufficiently, anything between is
// Minimally. A shard with neither pool, or with health disabled, is
// Unknown. Unlike js-waku's indicator (which keeps its old value for mixes
// such as 1 filter and 3 light-push peers), every count maps to a level.
func (c *Core) healthOf(shard uint16) LightHealth {
	var fp *pool
	if c.hasFilter {
		fp = c.pools[poolKey{c.filterRef, shard}]
	}
	// Light push counts the better of its versions: a client speaking
	// both publishes through whichever has live peers.
	pushLive, pushPool := 0, false
	for _, v := range [2]struct {
		ref     book.ProtocolRef
		tracked bool
	}{{c.pushRef, c.hasPush}, {c.pushV2Ref, c.hasPushV2}} {
		if pl := c.pools[poolKey{v.ref, shard}]; v.tracked && pl != nil {
			pushPool = true
			pushLive = max(pushLive, pl.live)
		}
	}
	anyPush := c.hasPush || c.hasPushV2
	fT, lT := c.cfg.HealthFilterPeers, c.cfg.HealthLightPushPeers
	if (fT == 0 || !c.hasFilter) && (lT == 0 || !anyPush) {
		return LightHealthUnknown
	}
	if fp == nil && !pushPool {
		return LightHealthUnknown
	}
	level := LightSufficientlyHealthy
	grade := func(live, threshold int, tracked bool) {
		if threshold == 0 || !tracked {
			return
		}
		switch {
		case live == 0:
			level = min(level, LightUnhealthy)
		case live < threshold:
			level = min(level, LightMinimallyHealthy)
		}
	}
	filterLive := 0
	if fp != nil {
		filterLive = fp.live
	}
	grade(filterLive, fT, c.hasFilter)
	grade(pushLive, lT, anyPush)
	return level
}

// Health returns the light-client health of shard (LightHealthUnknown for
// a shard without filter or light-push pool, or another cluster's).
func (c *Core) Health(shard shardmesh.Shard) LightHealth {
	if shard.Cluster != c.cfg.Cluster {
		return LightHealthUnknown
	}
	return c.health[shard.Index]
}

// ShardLightHealth is one shard's light-client health.
type ShardLightHealth struct {
	Shard  shardmesh.Shard
	Health LightHealth
}

// HealthByShard returns the health of every shard with a filter or
// light-push pool, by shard index.
func (c *Core) HealthByShard() []ShardLightHealth {
	out := make([]ShardLightHealth, 0, len(c.health))
	for s, h := range c.health {
		out = append(out, ShardLightHealth{Shard: shardmesh.Shard{Cluster: c.cfg.Cluster, Index: s}, Health: h})
	}
	slices.SortFunc(out, func(a, b ShardLightHealth) int { return int(a.Shard.Index) - int(b.Shard.Index) })
	return out
}

// LightHealth is a shard's health for a light client, from the live
// members of its filter and light-push pools (p2p-reliability, js-waku
// health_indicator.ts).
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
