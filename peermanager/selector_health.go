package peermanager

import (
	"slices"

	"github.com/wakupm/wakupm/shardmesh"
)

// updateHealth recomputes the light-client health of k's shard when k is a
// filter or light-push pool, and emits EventHealthChanged on a change.
func (c *SelectorCore) updateHealth(k poolKey) {
	counted := (c.hasFilter && k.ref == c.filterRef) || (c.hasPush && k.ref == c.pushRef)
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
	c.emit(SelectorEvent{Kind: EventHealthChanged, Shard: c.shardOf(k), Health: level})
}

// healthOf grades a shard from the live members of its filter and
// light-push pools: no live peer of a counted protocol is Unhealthy, at
// least the threshold of each is Sufficiently, anything between is
// Minimally. A shard with neither pool, or with health disabled, is
// Unknown. Unlike js-waku's indicator (which keeps its old value for mixes
// such as 1 filter and 3 light-push peers), every count maps to a level.
func (c *SelectorCore) healthOf(shard uint16) LightHealth {
	var fp, lp *pool
	if c.hasFilter {
		fp = c.pools[poolKey{c.filterRef, shard}]
	}
	if c.hasPush {
		lp = c.pools[poolKey{c.pushRef, shard}]
	}
	fT, lT := c.cfg.HealthFilterPeers, c.cfg.HealthLightPushPeers
	if (fT == 0 || !c.hasFilter) && (lT == 0 || !c.hasPush) {
		return LightHealthUnknown
	}
	if fp == nil && lp == nil {
		return LightHealthUnknown
	}
	level := LightSufficientlyHealthy
	grade := func(pl *pool, threshold int, tracked bool) {
		if threshold == 0 || !tracked {
			return
		}
		live := 0
		if pl != nil {
			live = pl.live
		}
		switch {
		case live == 0:
			level = min(level, LightUnhealthy)
		case live < threshold:
			level = min(level, LightMinimallyHealthy)
		}
	}
	grade(fp, fT, c.hasFilter)
	grade(lp, lT, c.hasPush)
	return level
}

// Health returns the light-client health of shard (LightHealthUnknown for
// a shard without filter or light-push pool, or another cluster's).
func (c *SelectorCore) Health(shard shardmesh.Shard) LightHealth {
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
func (c *SelectorCore) HealthByShard() []ShardLightHealth {
	out := make([]ShardLightHealth, 0, len(c.health))
	for s, h := range c.health {
		out = append(out, ShardLightHealth{Shard: shardmesh.Shard{Cluster: c.cfg.Cluster, Index: s}, Health: h})
	}
	slices.SortFunc(out, func(a, b ShardLightHealth) int { return int(a.Shard.Index) - int(b.Shard.Index) })
	return out
}
