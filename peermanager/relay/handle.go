package relay

import (
	"slices"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

func (c *Core) onHealth(s uint16, h shardmesh.Health, now time.Time) {
	c.health[s] = h
	c.healthKnown.Add(s)
	if h == shardmesh.SufficientlyHealthy {
		c.boost[s] = 0
	}
	c.react(now)
}

func (c *Core) onSubscribed(s uint16, now time.Time) {
	if !c.subscribed.Add(s) {
		return
	}
	c.book.SetWanted(c.subscribed)
	if c.cfg.DialOnSubscribe || c.cfg.DialOnEvents {
		c.fillDeficits(now)
	}
}

func (c *Core) onUnsubscribed(s uint16, now time.Time) {
	if !c.subscribed.Remove(s) {
		return
	}
	c.book.SetWanted(c.subscribed)
	c.healthKnown.Remove(s)
	c.boost[s] = 0
	c.discoverUntil[s] = time.Time{}
	if !c.cfg.UnsubscribeDisconnects {
		// Ours and nwaku's: peers that served only s are now on no
		// subscribed shard; pruning drops them if and when we are above
		// target.
		return
	}
	// go-waku handleNewRelayTopicUnSubscription: close connected peers
	// whose only topic was s, service peers included.
	conn := c.book.ConnectedPeers()
	c.peers = c.peers[:0]
	for i := range conn.Len() {
		p := conn.At(i)
		if shards, src := p.Shards(); src != book.ShardsUnknown && shards.Len() == 1 && shards.Contains(s) {
			c.peers = append(c.peers, p)
		}
	}
	for _, p := range c.peers {
		c.disconnect(p, ReasonUnsubscribed, now)
	}
}

func (c *Core) onDiscovered(d book.DiscoveredPeer, now time.Time) {
	p, err := c.book.Discover(d, now)
	if err != nil {
		c.stats.BookFull++
		return
	}
	c.state(p).failedUnseen = false // seen again: it may be back
	if p.Static() && !slices.Contains(c.static, p.ID()) {
		c.static = append(c.static, p.ID())
		if c.online && c.dialable(p, now) && len(c.dials) < c.cfg.MaxDialsInFlight {
			c.dial(p, now)
		}
		return
	}
	if c.cfg.DialDiscoveredBelow > 0 && c.book.ConnectedPeers().Len() < c.cfg.DialDiscoveredBelow && c.online && c.dialable(p, now) {
		c.enqueue(p.ID(), now)
		return
	}
	if c.cfg.DialOnEvents && p.IndexedShards().Intersects(c.subscribed) && c.dialable(p, now) &&
		(p.IndexedShards().Intersects(c.under) || c.relayCounts().out+len(c.dials) < c.cfg.OutboundTarget) {
		c.fillDeficits(now)
	}
}

func (c *Core) onConnected(e PeerConnected, now time.Time) {
	_, dialled := c.endDial(e.ID, now)
	if dialled {
		c.stats.DialsSucceeded++
		if q := c.book.Get(e.ID); q != nil && c.cfg.EarlyCloseWindow > 0 && e.Direction == book.Outbound {
			st := c.state(q)
			st.failuresBeforeConn = q.DialFailures()
			st.earlyCloseUntil = now.Add(c.cfg.EarlyCloseWindow)
		}
		if c.cfg.Backoff.ResetOnSuccess {
			c.book.ResetBackoff(e.ID)
		}
	}
	p := c.book.Connected(e.ID, e.Direction, e.IP, now)
	c.state(p).failedUnseen = false
	if c.cfg.ColocationLimit > 0 && p.IP().IsValid() && c.book.ConnectedOnIP(p.IP()) > c.cfg.ColocationLimit {
		c.enforceColocation(p, now)
		if p.Connectedness() != book.Connected {
			return
		}
	}
	if c.cfg.InboundCheckOnConnect && e.Direction == book.Inbound && p.Supports(c.relay) &&
		c.relayCounts().in > c.cfg.InboundTarget {
		c.disconnect(p, ReasonInboundExcess, now)
		return
	}
	c.drainQueue(now)
	c.react(now)
}

// enforceColocation handles a connection that took p's IP over the limit:
// ours (and go-waku's gater) turn the newcomer away; nwaku disconnects and
// forgets the oldest peers on the IP.
func (c *Core) enforceColocation(p *book.Peer, now time.Time) {
	if !c.cfg.ColocationDropOldest {
		c.disconnect(p, ReasonColocation, now)
		return
	}
	conn := c.book.ConnectedPeers()
	c.peers = c.peers[:0]
	for i := range conn.Len() {
		if q := conn.At(i); q.IP().IsValid() && c.book.ColocationGroup(q.IP()) == c.book.ColocationGroup(p.IP()) {
			c.peers = append(c.peers, q)
		}
	}
	slices.SortStableFunc(c.peers, func(x, y *book.Peer) int { return x.ConnectedAt().Compare(y.ConnectedAt()) })
	for _, q := range c.peers[:len(c.peers)-c.cfg.ColocationLimit] {
		c.disconnect(q, ReasonColocation, now)
		if c.cfg.ForgetMisfits {
			c.forget(q)
		}
	}
}

func (c *Core) onDisconnected(id peerid.ID, now time.Time) {
	p := c.book.Get(id)
	if p == nil {
		return
	}
	c.endDial(id, now)
	c.setProtected(p, false)
	if p.Connectedness() == book.Connected {
		c.book.Disconnected(id, now)
		delete(c.joins, id)
		st := c.state(p)
		// The peer closed on us (we mark our own disconnections at once):
		// it is gone, or over its own target and would prune us again.
		// Either way, try others first for a while.
		if c.cfg.PruneCooldown > 0 {
			st.pruneCooldownUntil = now.Add(c.cfg.PruneCooldown)
		}
		early := now.Before(st.earlyCloseUntil)
		st.earlyCloseUntil = time.Time{}
		if early {
			c.closedEarly(p, now)
		}
		c.react(now)
	}
}

// onTopicsAnnounced takes the shard topics a connected peer announced in
// gossipsub as its shards (TrustGossipsubTopics), once it has been
// connected for GossipsubTopicsGrace: a peer in no topic announces
// nothing, so an empty set means something only after its hello had time
// to arrive. The shell sends the event again every tick.
func (c *Core) onTopicsAnnounced(e TopicsAnnounced, now time.Time) {
	if !c.cfg.ReadsGossipsubTopics() {
		return
	}
	p := c.book.Get(e.ID)
	if p == nil || p.Connectedness() != book.Connected {
		return
	}
	if age := now.Sub(p.ConnectedAt()); age < c.cfg.GossipsubTopicsGrace {
		// Within the grace, the announcements decide what the peer
		// counts for after GossipsubTopicsCountAfter; not announcedAt,
		// so not eviction (announcedOffShard).
		if after := c.cfg.GossipsubTopicsCountAfter; after > 0 && age >= after {
			c.noteMisreport(p, e.Shards, now)
			if c.book.GossipsubTopics(e.ID, e.Shards) {
				c.react(now)
			}
		}
		return
	}
	st := c.state(p)
	first := st.announcedAt.Before(p.ConnectedAt()) // on this connection
	st.announcedAt = now
	if !c.cfg.TrustGossipsubTopics {
		c.onTopicsJoined(p, e.Shards, first, now)
		return
	}
	c.noteMisreport(p, e.Shards, now)
	if c.book.GossipsubTopics(e.ID, e.Shards) || first {
		c.react(now)
	}
}

// onDialSucceeded handles the shell's report that a dial returned a
// connection. Usually PeerConnected came first and settled the dial. If the
// dial is still in flight and the peer is not connected, the connection
// closed before the core saw it (the shell drops a connect-and-close pair
// it had not delivered yet): with EarlyCloseWindow that is an early close.
func (c *Core) onDialSucceeded(id peerid.ID, now time.Time) {
	_, inFlight := c.endDial(id, now)
	if inFlight {
		c.stats.DialsSucceeded++
	}
	p := c.book.Get(id)
	switch {
	case p == nil:
	case c.cfg.EarlyCloseWindow > 0:
		if inFlight && p.Connectedness() != book.Connected {
			c.stats.DialsClosedEarly++
			c.backOff(p, now)
		}
	case c.cfg.Backoff.ResetOnSuccess:
		c.book.ResetBackoff(id)
	}
	c.drainQueue(now)
}

// closedEarly handles a peer that closed the connection we dialled within
// EarlyCloseWindow: the dial failed after all. The failure count goes on
// from where it was before the connection, with the backoff that follows.
func (c *Core) closedEarly(p *book.Peer, now time.Time) {
	c.stats.DialsClosedEarly++
	c.book.RestoreDialFailures(p.ID(), c.state(p).failuresBeforeConn)
	c.backOff(p, now)
}

// backOff records one more failed dial of p: the backoff that follows and,
// past ForgetAfter failures, forgetting p (never a static peer).
func (c *Core) backOff(p *book.Peer, now time.Time) {
	delay := c.cfg.Backoff.Delay(p.DialFailures()+1, c.rng)
	failures := c.book.DialFailed(p.ID(), now.Add(delay), now)
	if f := c.cfg.Backoff.ForgetAfter; f > 0 && failures >= f && !p.Static() {
		c.forget(p)
	}
}

func (c *Core) onMetadata(e MetadataReceived, now time.Time) {
	p := c.book.MetadataReceived(e.ID, e.Cluster, e.Shards, now)
	if p == nil || p.Connectedness() != book.Connected {
		return
	}
	switch {
	case e.Cluster != c.cfg.Cluster:
		c.disconnect(p, ReasonClusterMismatch, now)
		if c.cfg.ForgetMisfits {
			c.forget(p)
		}
		return
	case c.cfg.DisconnectRelayWithoutShards && e.Shards.Empty() && p.Supports(c.relay):
		c.disconnect(p, ReasonNoShards, now)
		if c.cfg.ForgetMisfits {
			c.forget(p)
		}
		return
	}
	c.react(now)
}

func (c *Core) onMetadataFailed(id peerid.ID, now time.Time) {
	p := c.book.Get(id)
	if p == nil || p.Connectedness() != book.Connected {
		return
	}
	switch c.cfg.MetadataFailure {
	case AlwaysDisconnect:
	case DisconnectOnTWN:
		if c.cfg.Cluster != shardmesh.ClusterTWN {
			return
		}
	case DisconnectWithCluster:
		if c.cfg.Cluster == 0 {
			return
		}
	default:
		return
	}
	c.disconnect(p, ReasonMetadataFailed, now)
	if c.cfg.ForgetMisfits {
		c.forget(p)
	}
}

func (c *Core) onOnline(online bool, now time.Time) {
	was := c.online
	c.online = online
	if !online || was {
		return
	}
	if c.cfg.Backoff.ResetOnOnline {
		c.book.ResetAllBackoff()
	}
	c.drainQueue(now)
	c.fillDeficits(now)
}

// onDialFailed records a failure and schedules the peer's next attempt.
func (c *Core) onDialFailed(id peerid.ID, cause DialCause, now time.Time, expired bool) {
	if d, ok := c.endDial(id, now); ok {
		if expired {
			c.stats.DialsExpired++
			cause = CauseExpired
		} else {
			c.stats.DialsFailed++
		}
		if int(cause) >= NumDialCauses {
			cause = CauseUnknown
		}
		c.stats.DialFailuresByCause[cause]++
		for s, ok := d.shards.Next(0); ok; s, ok = d.shards.Next(s + 1) {
			c.dialFailsByShard[s]++
		}
	}
	p := c.book.Get(id)
	if p == nil || p.Connectedness() == book.Connected {
		return
	}
	c.state(p).failedUnseen = true
	c.backOff(p, now)
	c.drainQueue(now)
	c.react(now)
}

func (c *Core) expireDials(now time.Time) {
	var expired []peerid.ID
	for id, d := range c.dials {
		if now.After(d.deadline) {
			expired = append(expired, id)
		}
	}
	slices.Sort(expired) // map order is random; decisions must not be
	for _, id := range expired {
		c.onDialFailed(id, CauseUnknown, now, true)
	}
}
