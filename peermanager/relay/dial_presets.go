package relay

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// enqueue queues a dial for the preset strategies, whose dialers take
// requests from a queue as slots free up.
func (c *Core) enqueue(id peerid.ID, now time.Time) {
	for _, q := range c.queue {
		if q == id {
			return
		}
	}
	c.queue = append(c.queue, id)
	c.drainQueue(now)
}

// drainQueue dials queued peers while slots are free; stale entries
// (connected meanwhile, in backoff, forgotten) are dropped.
func (c *Core) drainQueue(now time.Time) {
	if !c.online {
		return
	}
	i := 0
	for ; i < len(c.queue) && len(c.dials) < c.cfg.MaxDialsInFlight; i++ {
		if p := c.book.Get(c.queue[i]); p != nil && c.dialable(p, now) {
			c.dial(p, now)
		}
	}
	c.queue = append(c.queue[:0], c.queue[i:]...)
}

// shuffle permutes c.peers with the core's generator.
func (c *Core) shufflePeers() {
	c.rng.Shuffle(len(c.peers), func(i, j int) { c.peers[i], c.peers[j] = c.peers[j], c.peers[i] })
}

// dialGlobalRandom is nwaku's connectToRelayPeers (pm.nim:545-578): below
// the outbound target, dial random dialable peers of the whole store, with
// no shard or protocol filter. It scans the book, as nwaku does.
func (c *Core) dialGlobalRandom(now time.Time) {
	rc := c.relayCounts()
	need := c.cfg.OutboundTarget - rc.out - len(c.dials) - len(c.queue)
	if need <= 0 {
		return
	}
	c.peers = c.peers[:0]
	for p := range c.book.All() {
		if c.dialableIgnoringColocation(p, now) {
			c.peers = append(c.peers, p)
		}
	}
	c.shufflePeers()
	for _, p := range c.peers[:min(need, len(c.peers))] {
		c.enqueue(p.ID(), now)
	}
}

// dialableIgnoringColocation is nwaku's canBeConnected plus "not connected":
// nwaku checks colocation only on connection.
func (c *Core) dialableIgnoringColocation(p *book.Peer, now time.Time) bool {
	if p.Connectedness() != book.NotConnected || p.InBackoff(now) {
		return false
	}
	if cluster, known := p.Cluster(); known && cluster != c.cfg.Cluster {
		return false
	}
	g := c.cfg.Backoff.GiveUpAfter
	return g == 0 || p.DialFailures() < g
}

// dialDividedTargets is nwaku's manageRelayPeers (pm.nim:812-895): per
// subscribed shard, outbound target div number of shards, counted over
// connected relay peers whose ENR lists the shard; the deficit is filled
// from random not-connected peers whose ENR lists the shard and has the
// relay bit.
func (c *Core) dialDividedTargets(now time.Time) {
	n := c.subscribed.Len()
	if n == 0 {
		return
	}
	outTarget := c.cfg.OutboundTarget / n
	c.countByENR()
	c.epoch++
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		diff := outTarget - int(c.out[s])
		if diff <= 0 {
			continue
		}
		bucket := c.relayPeers(s, false)
		c.peers = c.peers[:0]
		for i := range bucket.Len() {
			p := bucket.At(i)
			enr, hasENR := p.ENRShards()
			caps, hasCaps := p.Capabilities()
			if hasENR && enr.Contains(s) && hasCaps && caps.Has(shardmesh.CapRelay) &&
				c.state(p).mark != c.epoch && c.dialableIgnoringColocation(p, now) {
				c.peers = append(c.peers, p)
			}
		}
		c.shufflePeers()
		for _, p := range c.peers[:min(diff, len(c.peers))] {
			c.state(p).mark = c.epoch
			c.enqueue(p.ID(), now)
		}
	}
}

// countByENR fills c.cnt (inbound) and c.out (outbound) per subscribed shard
// with the connected relay peers whose ENR lists the shard, as nwaku's
// sharded mode counts them (its ShardBook from metadata is ignored).
func (c *Core) countByENR() {
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		c.cnt[s], c.out[s] = 0, 0
	}
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		p := conn.At(i)
		enr, hasENR := p.ENRShards()
		if !p.Supports(c.relay) || !hasENR {
			continue
		}
		on := enr.Intersect(c.subscribed)
		for s, ok := on.Next(0); ok; s, ok = on.Next(s + 1) {
			if p.Direction() == book.Outbound {
				c.out[s]++
			} else {
				c.cnt[s]++
			}
		}
	}
}

// dialPerTopic is go-waku's connectivity loop (peer_manager.go:374-537):
// per subscribed shard, count connected peers whose metadata lists it
// (direction and relay support unchecked); while that count is below the
// global outbound target or the mesh is not sufficiently healthy, queue
// candidates on the shard; with none, ask discovery for 2 peers, every
// time (no de-duplication).
func (c *Core) dialPerTopic(now time.Time) {
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		c.cnt[s] = 0
	}
	conn := c.book.ConnectedPeers()
	for i := range conn.Len() {
		md, hasMetadata := conn.At(i).MetadataShards()
		if !hasMetadata {
			continue
		}
		on := md.Intersect(c.subscribed)
		for s, ok := on.Next(0); ok; s, ok = on.Next(s + 1) {
			c.cnt[s]++
		}
	}
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		count := int(c.cnt[s])
		if count >= c.cfg.OutboundTarget && c.healthKnown.Contains(s) && c.health[s] == shardmesh.SufficientlyHealthy {
			continue
		}
		need := max(c.cfg.OutboundTarget-count, 1)
		bucket := c.relayPeers(s, false)
		found := 0
		for i := 0; i < bucket.Len() && found < need; i++ {
			if p := bucket.At(i); c.dialable(p, now) {
				found++
				c.enqueue(p.ID(), now)
			}
		}
		if found == 0 {
			c.requestDiscovery(s, now)
		}
	}
}
