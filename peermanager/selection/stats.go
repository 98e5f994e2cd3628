package selection

import (
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// Results of a selection, as counted.
const (
	ResultFull    = "full"    // as many peers as asked
	ResultPartial = "partial" // some, fewer than asked
	ResultNone    = "none"    // none: a *Error
)

// ReasonReleased labels the replacements of members released because they
// were no longer eligible (no outcome caused them).
const ReasonReleased = "released"

type counters struct {
	selections   [book.MaxTrackedProtocols][3]uint64 // full, partial, none
	outcomes     [book.MaxTrackedProtocols][numOutcomes]uint64
	replacements [book.MaxTrackedProtocols][numOutcomes]uint64
	released     [book.MaxTrackedProtocols]uint64
	untracked    uint64
	excused      uint64
}

func (s *counters) selected(ref book.ProtocolRef, got, want int) {
	switch {
	case got >= want:
		s.selections[ref][0]++
	case got > 0:
		s.selections[ref][1]++
	default:
		s.selections[ref][2]++
	}
}

// Stats is a snapshot of the selector's counters and pools, for
// metrics (metrics.SelectorCollector) and tests.
type Stats struct {
	// Name is the configuration's name (the preset).
	Name string
	// Selections counts Select calls by protocol and result (ResultFull,
	// ResultPartial, ResultNone); UntrackedSelections those for a
	// protocol the book does not track.
	Selections          []ResultCount
	UntrackedSelections uint64
	// Outcomes counts reported outcomes by protocol.
	Outcomes []OutcomeCount
	// Replacements counts members taken out of pools by protocol and
	// reason (an Outcome name, or ReasonReleased).
	Replacements []ReplacementCount
	// Pools describes every pool.
	Pools []PoolStats
	// Health is the light-client health per shard.
	Health []ShardLightHealth
	// ExcusedFailures counts lost connections and connectivity outcomes
	// not held against the peer (offline, caused by the client, healed
	// within DisconnectGrace; see Core.SetOnline).
	ExcusedFailures uint64
	// NotificationsDropped counts notifications the selector shell dropped
	// because its reader was behind (0 from a bare Core).
	NotificationsDropped uint64
}

// ResultCount is one counter of Stats.Selections.
type ResultCount struct {
	Protocol string
	Result   string
	Count    uint64
}

// OutcomeCount is one counter of Stats.Outcomes.
type OutcomeCount struct {
	Protocol string
	Outcome  Outcome
	Count    uint64
}

// ReplacementCount is one counter of Stats.Replacements.
type ReplacementCount struct {
	Protocol string
	Reason   string
	Count    uint64
}

// PoolStats describes one pool.
type PoolStats struct {
	Protocol string
	Shard    shardmesh.Shard
	// Target is the pool's target size, Members its current size, Live its
	// connected members.
	Target, Members, Live int
}

// Stats returns a snapshot. It allocates; call it at scrape time, not on a
// hot path.
func (c *Core) Stats() Stats {
	st := Stats{Name: c.cfg.Name, UntrackedSelections: c.stats.untracked, ExcusedFailures: c.stats.excused}
	results := [3]string{ResultFull, ResultPartial, ResultNone}
	for r, ps := range c.protos {
		for i, n := range c.stats.selections[r] {
			if n > 0 {
				st.Selections = append(st.Selections, ResultCount{ps.id, results[i], n})
			}
		}
		for o, n := range c.stats.outcomes[r] {
			if n > 0 {
				st.Outcomes = append(st.Outcomes, OutcomeCount{ps.id, Outcome(o), n})
			}
		}
		for o, n := range c.stats.replacements[r] {
			if n > 0 {
				st.Replacements = append(st.Replacements, ReplacementCount{ps.id, Outcome(o).String(), n})
			}
		}
		if n := c.stats.released[r]; n > 0 {
			st.Replacements = append(st.Replacements, ReplacementCount{ps.id, ReasonReleased, n})
		}
	}
	for _, pl := range c.poolList {
		live := 0
		for _, m := range pl.members {
			if c.isLive(m.id) {
				live++
			}
		}
		st.Pools = append(st.Pools, PoolStats{Protocol: c.protos[pl.key.ref].id, Shard: c.shardOf(pl.key),
			Target: pl.target, Members: len(pl.members), Live: live})
	}
	st.Health = c.HealthByShard()
	return st
}
