package selection

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// Report records the outcome of using peer id for protocol proto at now.
// A success resets the peer's failure count; a counted failure increments
// it and replaces the peer once the protocol's MaxFailures is reached; an
// Immediate outcome replaces it at once. Replacing releases the peer from
// every pool of the protocol (all shards), refills them and benches the
// peer for the protocol (ReplacementRule.BenchFor). Outcomes for peers in no
// pool still count and bench, so that one-off selections avoid them too.
func (c *Core) Report(id peerid.ID, proto string, o Outcome, now time.Time) error {
	ref, ok := c.book.Protocol(proto)
	if !ok {
		return &Error{Protocol: proto, Reason: ErrUntrackedProtocol}
	}
	if o >= numOutcomes {
		return ErrInvalidRequest
	}
	c.report(id, ref, o, now)
	return nil
}

// ReportPeer applies outcome o to every protocol whose pools hold id (a
// failed keep-alive ping says nothing about one protocol more than
// another). It returns how many protocols it applied to.
func (c *Core) ReportPeer(id peerid.ID, o Outcome, now time.Time) int {
	if o >= numOutcomes || c.inPools[id] == 0 {
		return 0
	}
	var refs uint64 // bit r: protocol r has a pool holding id
	for _, pl := range c.poolList {
		if pl.index(id) >= 0 {
			refs |= 1 << pl.key.ref
		}
	}
	n := 0
	for r := range c.protos {
		if refs&(1<<r) != 0 {
			c.report(id, book.ProtocolRef(r), o, now)
			n++
		}
	}
	return n
}

func (c *Core) report(id peerid.ID, ref book.ProtocolRef, o Outcome, now time.Time) {
	c.stats.outcomes[ref][o]++
	if c.offline && connectivityOutcomes.Has(o) {
		c.stats.excused++ // the client has no network: not the peer's failure
		return
	}
	rule := &c.protos[ref].cfg.Replace
	key := peerProto{id, ref}
	switch {
	case o == OutcomeSuccess:
		delete(c.failures, key)
	case rule.Immediate.Has(o):
		c.replace(id, ref, o, now)
	case rule.Counted.Has(o):
		n := c.failures[key] + 1
		if rule.MaxFailures > 0 && n >= rule.MaxFailures {
			c.replace(id, ref, o, now)
			return
		}
		c.failures[key] = n
	}
}

// replace benches id for protocol ref and takes it out of every pool of
// the protocol, refilling each.
func (c *Core) replace(id peerid.ID, ref book.ProtocolRef, o Outcome, now time.Time) {
	rule := &c.protos[ref].cfg.Replace
	key := peerProto{id, ref}
	delete(c.failures, key)
	bench := rule.BenchFor
	if o == OutcomeRateLimited && rule.RateLimitBenchFor > 0 {
		bench = rule.RateLimitBenchFor
	}
	if bench > 0 {
		c.benchedUntil[key] = now.Add(bench)
	}
	for _, pl := range c.poolList {
		if pl.key.ref != ref {
			continue
		}
		i := pl.index(id)
		if i < 0 {
			continue
		}
		if c.hasStore && ref == c.storeRef && i == 0 {
			c.notify(Notification{Kind: NotifyStoreNodeNotWorking, Protocol: c.protos[ref].id, Shard: c.shardOf(pl.key), Peer: id, Outcome: o})
		}
		c.removeMember(pl, i)
		pl.departed = append(pl.departed, departure{id: id, kind: NotifyPeerReplaced, outcome: o})
		c.stats.replacements[ref][o]++
		c.maintain(pl, id, now)
	}
}

// PeerUpdated tells the selector that the book changed about id
// (connected, disconnected, identified, metadata, discovered, removed).
// Pools holding id are brought up to date (a lost connection is reported
// as OutcomeDisconnected unless excused, see SetOnline) and short pools
// try to refill; pending lost connections whose grace ended are settled. Cost: the number
// of pools times their size, never the book.
func (c *Core) PeerUpdated(id peerid.ID, now time.Time) {
	if c.inPools[id] > 0 {
		// A pinned member may join a pool before the book has its record.
		c.book.Keep(id, true)
	}
	c.observeConnectivity()
	for _, pl := range c.poolList {
		if len(pl.members) < pl.target || pl.index(id) >= 0 {
			c.maintain(pl, "", now)
		}
	}
	c.settleLosses(now)
}

// Release drops the pool of (proto, shard), e.g. after the client stopped
// using the shard. Its members are released without benching.
func (c *Core) Release(proto string, shard shardmesh.Shard) {
	ref, ok := c.book.Protocol(proto)
	if !ok || shard.Cluster != c.cfg.Cluster {
		return
	}
	k := poolKey{ref, shard.Index}
	pl := c.pools[k]
	if pl == nil {
		return
	}
	for len(pl.members) > 0 {
		c.removeMember(pl, len(pl.members)-1)
	}
	delete(c.pools, k)
	for i, x := range c.poolList {
		if x == pl {
			c.poolList = append(c.poolList[:i], c.poolList[i+1:]...)
			break
		}
	}
	c.updateHealth(k)
}
