package relay

import (
	"net/netip"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

type dialState struct {
	deadline time.Time
	shards   shardmesh.ShardSet // subscribed shards the peer was dialled for
	ip       netip.Addr         // colocation group (Book.ColocationGroup)
	// creditUntil: until then the dial counts toward its shards' pending
	// dials (Config.DialCountsFor); zero once it no longer does.
	creditUntil time.Time
}

func (c *Core) onShardsOf(p *book.Peer) shardmesh.ShardSet {
	return p.IndexedShards().Intersect(c.subscribed)
}

// dialable reports whether p may be dialled at now.
func (c *Core) dialable(p *book.Peer, now time.Time) bool {
	if p.Connectedness() != book.NotConnected || p.InBackoff(now) {
		return false
	}
	if cluster, known := p.Cluster(); known && cluster != c.cfg.Cluster {
		return false
	}
	if g := c.cfg.Backoff.GiveUpAfter; g > 0 && p.DialFailures() >= g {
		return false
	}
	if c.cfg.ColocationLimit > 0 && p.IP().IsValid() &&
		c.book.ConnectedOnIP(p.IP())+c.dialingIP[c.book.ColocationGroup(p.IP())] >= c.cfg.ColocationLimit {
		return false
	}
	return true
}

func (c *Core) dial(p *book.Peer, now time.Time) {
	d := dialState{deadline: now.Add(2 * c.cfg.DialTimeout), shards: c.onShardsOf(p), ip: c.book.ColocationGroup(p.IP())}
	d.creditUntil = d.deadline
	if c.cfg.DialCountsFor > 0 {
		d.creditUntil = now.Add(c.cfg.DialCountsFor)
	}
	c.dials[p.ID()] = d
	for s, ok := d.shards.Next(0); ok; s, ok = d.shards.Next(s + 1) {
		c.pending[s]++
		c.dialsByShard[s]++
	}
	if d.ip.IsValid() {
		c.dialingIP[d.ip]++
	}
	c.book.SetDialing(p.ID(), true, now)
	c.stats.DialsStarted++
	c.emit(Action{Kind: ActDial, Peer: p.ID()})
}

// endDial forgets an in-flight dial and reports whether there was one.
func (c *Core) endDial(id peerid.ID, now time.Time) (dialState, bool) {
	d, ok := c.dials[id]
	if !ok {
		return d, false
	}
	delete(c.dials, id)
	if !d.creditUntil.IsZero() {
		c.uncount(d)
	}
	if d.ip.IsValid() {
		if n := c.dialingIP[d.ip] - 1; n > 0 {
			c.dialingIP[d.ip] = n
		} else {
			delete(c.dialingIP, d.ip)
		}
	}
	c.book.SetDialing(id, false, now)
	return d, true
}

// disconnect asks the shell to close p and updates the book at once, so that
// the rest of this step (and the next) already counts without p.
func (c *Core) disconnect(p *book.Peer, reason DisconnectReason, now time.Time) {
	c.emit(Action{Kind: ActDisconnect, Peer: p.ID(), Reason: reason})
	c.stats.Disconnects[reason]++
	c.setProtected(p, false)
	c.book.Disconnected(p.ID(), now)
	delete(c.joins, p.ID())
	if (reason == ReasonPruneNoShard || reason == ReasonPruneOverServed || reason == ReasonInboundExcess || reason == ReasonOffShard) &&
		c.cfg.PruneCooldown > 0 {
		c.state(p).pruneCooldownUntil = now.Add(c.cfg.PruneCooldown)
	}
}

// forget removes p from the book and tells the shell.
func (c *Core) forget(p *book.Peer) {
	if p.Static() {
		return
	}
	id := p.ID()
	if c.book.Remove(id) {
		c.stats.Forgotten++
		c.emit(Action{Kind: ActNotify, Notice: NoticePeerForgotten, Peer: id})
	}
}
