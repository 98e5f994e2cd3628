package relay

import (
	"time"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// noteMisreport is the evidence of Config.DistrustBroadClaims: p, connected,
// advertised (ENR or metadata) some of our shards and now announces in
// gossipsub none of them. Called before the announcement replaces what p
// advertised. Announcements that only confirm or add shards, and peers
// that advertised none of ours, are no evidence.
func (c *Core) noteMisreport(p *book.Peer, announced shardmesh.ShardSet, now time.Time) {
	if c.cfg.DistrustBroadClaims <= 0 {
		return
	}
	advertised, src := p.Shards()
	if src == book.ShardsFromGossipsub || src == book.ShardsUnknown {
		return
	}
	ours := advertised.Intersect(c.subscribed)
	if ours.Empty() || announced.Intersects(ours) {
		return
	}
	c.stats.Misreports++
	c.distrustUntil = now.Add(c.cfg.DistrustBroadClaims)
}

// distrusting reports whether candidates are ranked by the specificity of
// their claims at now (Config.DistrustBroadClaims).
func (c *Core) distrusting(now time.Time) bool {
	return now.Before(c.distrustUntil)
}

// moreSpecific compares the share of their advertised shards that two
// candidates' coverage is: a.cov/a.claims against b.cov/b.claims, without
// division. Positive: a's claims are the more specific.
func moreSpecific(a, b *candidate) int {
	return a.cov*b.claims - b.cov*a.claims
}
