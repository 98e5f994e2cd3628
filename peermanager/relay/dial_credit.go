package relay

import "time"

// uncountSlowDials is RELAY-35 (Config.DialCountsFor): dials in flight
// past their credit stop counting toward their shards' pending dials. Cost:
// O(dials in flight), at most MaxDialsInFlight.
func (c *Core) uncountSlowDials(now time.Time) {
	if c.cfg.DialCountsFor <= 0 {
		return
	}
	for id, d := range c.dials {
		if !d.creditUntil.IsZero() && !now.Before(d.creditUntil) {
			c.uncount(d)
			d.creditUntil = time.Time{}
			c.dials[id] = d
		}
	}
}

// uncount takes dial d off its shards' pending counts.
func (c *Core) uncount(d dialState) {
	for s, ok := d.shards.Next(0); ok; s, ok = d.shards.Next(s + 1) {
		c.pending[s]--
	}
}

// DialCreditEndsIn reports how long after the last Step the first dial in
// flight stops counting toward its shards (Config.DialCountsFor), if one
// still counts. A shell SHOULD Tick the core then, when that is sooner than
// NextTick, so that those shards dial again at once rather than up to a
// tick later.
func (c *Core) DialCreditEndsIn() (time.Duration, bool) {
	if c.cfg.DialCountsFor <= 0 {
		return 0, false
	}
	var wait time.Duration
	found := false
	for _, d := range c.dials {
		if d.creditUntil.IsZero() {
			continue
		}
		if w := max(d.creditUntil.Sub(c.now), 0); !found || w < wait {
			wait, found = w, true
		}
	}
	return wait, found
}
