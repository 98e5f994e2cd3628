package slots

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
)

// maxRecentCloses bounds how many closed peers a Ledger remembers: a flood
// of peers it turns away cannot grow its memory beyond this.
const maxRecentCloses = 4096

// recentCloses remembers the peers a Ledger closed, each until a deadline,
// in closing order; beyond maxRecentCloses the oldest are forgotten first.
type recentCloses struct {
	until map[peerid.ID]time.Time
	order []recentClose // closing order; deadlines are non-decreasing in practice
}

type recentClose struct {
	id    peerid.ID
	until time.Time
}

func (r *recentCloses) add(id peerid.ID, until time.Time) {
	if r.until == nil {
		r.until = make(map[peerid.ID]time.Time)
	}
	r.until[id] = until
	r.order = append(r.order, recentClose{id, until})
	r.forget(until.Add(-time.Nanosecond))
}

// has reports whether id was closed and its deadline is after now.
func (r *recentCloses) has(id peerid.ID, now time.Time) bool {
	r.forget(now)
	until, ok := r.until[id]
	return ok && now.Before(until)
}

// forget drops the entries expired at now from the front, and the oldest
// beyond maxRecentCloses.
func (r *recentCloses) forget(now time.Time) {
	n := 0
	for n < len(r.order) && (len(r.order)-n > maxRecentCloses || !now.Before(r.order[n].until)) {
		if e := r.order[n]; r.until[e.id] == e.until {
			delete(r.until, e.id)
		}
		n++
	}
	if n > 0 {
		r.order = append(r.order[:0], r.order[n:]...)
	}
}

func (r *recentCloses) len() int { return len(r.until) }
