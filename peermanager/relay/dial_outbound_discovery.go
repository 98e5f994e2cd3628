package relay

import "time"

// discoverForOutbound is RELAY-34: every floor is met, the outbound target
// is not, and the pass found too few fresh candidates for the room left
// (left > 0). Discovery is asked for each subscribed shard that had fewer
// fresh candidates than that (deduplicated as any request).
//
// Without it, discovery is asked only for a shard under its floors, so a
// node whose floors are met by the wrong peers never learns of others:
// with silent attackers connected before it started, a victim pruned them
// and dialled them back as its only candidates (cooling peers are a last
// resort, not excluded), they met its outbound floor, and it never asked
// discovery for the honest nodes (TestEclipseAttackersBeforeStart).
func (c *Core) discoverForOutbound(left int, now time.Time) {
	for s, ok := c.subscribed.Next(0); ok; s, ok = c.subscribed.Next(s + 1) {
		if int(c.eligible[s]) < left {
			c.requestDiscovery(s, now)
		}
	}
}
