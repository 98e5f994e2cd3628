package selection

import (
	"fmt"
	"time"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// Shards of interest. A client that knows the shards it cares about (its
// community's, its content topics') declares them up front
// (Config.Shards, or DeclareShard when it joins one later): the filter and
// light-push pools of each are created and filled at once with the
// protocol's PoolSize as target, so light-client health is graded before
// any Select, and a later request for fewer peers does not shrink the
// pool its health is judged on.

// DeclareShard declares shard as one of interest at now (see above). It
// is idempotent.
func (c *Core) DeclareShard(shard shardmesh.Shard, now time.Time) error {
	if shard.Cluster != c.cfg.Cluster {
		return fmt.Errorf("%w: shard %d/%d is not in our cluster %d", ErrInvalidRequest, shard.Cluster, shard.Index, c.cfg.Cluster)
	}
	if shard.Index > shardmesh.MaxShardIndex {
		return fmt.Errorf("%w: shard index %d above %d", ErrInvalidRequest, shard.Index, shardmesh.MaxShardIndex)
	}
	for _, ref := range c.healthRefs() {
		ps := &c.protos[ref].cfg
		if !ps.Sticky {
			continue
		}
		pl := c.poolFor(poolKey{ref, shard.Index}, now)
		if pl.target < ps.PoolSize {
			pl.target = ps.PoolSize
		}
		if pl.policy == PolicyDefault {
			pl.policy = ps.Policy
		}
		c.maintain(pl, "", now)
	}
	return nil
}

// healthRefs returns the protocols light-client health counts that this
// client uses: filter, light push v3, and light push v2 when the
// configuration names it (a preset that publishes through v2).
func (c *Core) healthRefs() []book.ProtocolRef {
	var refs []book.ProtocolRef
	if c.hasFilter {
		refs = append(refs, c.filterRef)
	}
	if c.hasPush {
		refs = append(refs, c.pushRef)
	}
	if c.hasPushV2 && c.configures(LightPushVersions[1]) {
		refs = append(refs, c.pushV2Ref)
	}
	return refs
}

// configures reports whether the configuration lists proto.
func (c *Core) configures(proto string) bool {
	for _, pc := range c.cfg.Protocols {
		if pc.Protocol == proto {
			return true
		}
	}
	return false
}
