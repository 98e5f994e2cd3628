package relay

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// topicJoins: our shard topics a connected peer joined in gossipsub, and
// those it left again, on its current connection.
type topicJoins struct {
	joined, left shardmesh.ShardSet
}

// onTopicsJoined is go-waku's reading of gossipsub (waku/v2/peermanager
// topic_event_handler.go:124-163 at 84a4b1be): it hears only the topics we
// joined ourselves (a topic event handler per subscribed topic,
// protocol/relay/topic_events.go:44-86), so of a peer's announcements only
// our subscribed shards count. A shard the peer newly joins first triggers
// the shard-mismatch check (DisconnectOnShardMismatch), then is added to
// the peer's shards (GossipsubJoinsAddShards); a shard it leaves is taken
// away, whatever its ENR or metadata said. Shards it never joined stay as
// advertised.
func (c *Core) onTopicsJoined(p *book.Peer, announced shardmesh.ShardSet, first bool, now time.Time) {
	st := c.joins[p.ID()]
	if st == nil {
		if c.joins == nil {
			c.joins = map[peerid.ID]*topicJoins{}
		}
		st = &topicJoins{}
		c.joins[p.ID()] = st
	}
	if first {
		*st = topicJoins{}
	}
	ours := announced.Intersect(c.subscribed)
	joined, left := ours.Difference(st.joined), st.joined.Difference(ours)
	if joined.Empty() && left.Empty() {
		return
	}
	st.joined = ours
	st.left = st.left.Difference(joined).Union(left)
	if c.cfg.DisconnectOnShardMismatch && !joined.Empty() && c.shardMismatch(p) {
		c.disconnect(p, ReasonShardMismatch, now)
		if c.cfg.ForgetMisfits {
			c.forget(p)
		}
		return
	}
	if !c.cfg.GossipsubJoinsAddShards {
		return
	}
	advertised, ok := p.MetadataShards()
	if !ok {
		advertised, _ = p.ENRShards()
	}
	c.book.GossipsubTopics(p.ID(), advertised.Union(st.joined).Difference(st.left))
	c.react(now)
}

// shardMismatch reports whether p's metadata lists none of our shards
// (go-waku DisconnectPeerOnShardMismatch, protocol/metadata
// waku_metadata.go:329-351 at 84a4b1be, compares it with its own ENR
// shards, which follow its subscriptions). Without metadata go-waku waits
// up to 7 s for it and then disconnects; here a peer whose metadata never
// came is left to the metadata failure rule.
func (c *Core) shardMismatch(p *book.Peer) bool {
	md, ok := p.MetadataShards()
	return ok && !md.Intersects(c.subscribed)
}
