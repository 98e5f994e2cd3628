package relay

import (
	"time"

	"github.com/wakupm/wakupm/peermanager/book"
)

// evictOffShard is the rule of Config.EvictOffShard, run by the coverage
// strategy whenever a subscribed shard is short (under its floor or
// outbound floor, dials in flight counted).
//
// A connected relay peer whose gossipsub announcements name none of our
// subscribed shards cannot join any mesh of ours. Pruning removes such a
// peer only above the targets, and an outbound one never below the
// outbound quota, so a peer that advertises every shard and joins none
// keeps its slot for as long as it likes, while an honest peer on the short
// shard is refused (inbound full) or not dialled. So, while a shard is
// short:
//
//   - with inbound relay peers at the inbound target, every such inbound
//     peer goes: the connection gater then has a slot for a peer that
//     serves the short shard;
//   - with outbound relay peers and dials in flight at the outbound
//     target, every such outbound peer goes, whatever the outbound quota:
//     the quota keeps the peers we chose for our shards, and these are on
//     none.
//
// Below those targets the peer stays: it costs nobody a slot. Only the
// announcement is evidence, and only one taken on the current connection
// (announcedOffShard): an ENR or metadata can say anything. Static and
// service peers are kept, as by pruning. Cost: O(connected peers), on
// passes with a short shard only.
//
// With no shard short (short false), such a peer goes only while its
// direction is above its target: with GossipsubTopicsCountAfter the short
// shard has usually had its replacement before the grace ends, and the
// peer would otherwise hold a slot beyond the target for good (pruning
// acts on the total only).
func (c *Core) evictOffShard(short bool, now time.Time) {
	rc := c.relayCounts()
	inFull := rc.in >= c.cfg.InboundTarget
	outFull := rc.out+len(c.dials) >= c.cfg.OutboundTarget
	if !short {
		inFull = rc.in > c.cfg.InboundTarget
		outFull = rc.out+len(c.dials) > c.cfg.OutboundTarget
	}
	if !inFull && !outFull {
		return
	}
	c.peers = c.peers[:0]
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		p := conn.At(i)
		full := inFull
		if p.Direction() == book.Outbound {
			full = outFull
		}
		if full && p.Supports(c.relay) && !p.Static() && !c.state(p).service && c.announcedOffShard(p) {
			c.peers = append(c.peers, p)
		}
	}
	for _, p := range c.peers {
		c.disconnect(p, ReasonOffShard, now)
	}
}

// announcedOffShard reports whether p's shards are the topics it announced
// in gossipsub on its current connection, past the announcement grace
// (onTopicsAnnounced), and none of them is ours.
func (c *Core) announcedOffShard(p *book.Peer) bool {
	shards, src := p.Shards()
	return src == book.ShardsFromGossipsub && !shards.Intersects(c.subscribed) &&
		!c.state(p).announcedAt.Before(p.ConnectedAt())
}
