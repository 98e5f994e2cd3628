package peermanager

import (
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// Results of a selection, as counted.
const (
	SelectionFull    = "full"    // as many peers as asked
	SelectionPartial = "partial" // some, fewer than asked
	SelectionNone    = "none"    // none: a *SelectionError
)

// ReasonReleased labels the replacements of members released because they
// were no longer eligible (no outcome caused them).
const ReasonReleased = "released"

type selectorCounters struct {
	selections   [book.MaxTrackedProtocols][3]uint64 // full, partial, none
	outcomes     [book.MaxTrackedProtocols][numOutcomes]uint64
	replacements [book.MaxTrackedProtocols][numOutcomes]uint64
	released     [book.MaxTrackedProtocols]uint64
	untracked    uint64
}

func (s *selectorCounters) selected(ref book.ProtocolRef, got, want int) {
	switch {
	case got >= want:
		s.selections[ref][0]++
	case got > 0:
		s.selections[ref][1]++
	default:
		s.selections[ref][2]++
	}
}

// SelectorStats is a snapshot of the selector's counters and pools, for
// metrics (metrics.SelectorCollector) and tests.
type SelectorStats struct {
	// Name is the configuration's name (the preset).
	Name string
	// Selections counts Select calls by protocol and result (SelectionFull,
	// SelectionPartial, SelectionNone); UntrackedSelections those for a
	// protocol the book does not track.
	Selections          []SelectionCount
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
	// EventsDropped counts events the Selector shell dropped because its
	// reader was behind (0 from a bare SelectorCore).
	EventsDropped uint64
}

// SelectionCount is one counter of SelectorStats.Selections.
type SelectionCount struct {
	Protocol protocol.ID
	Result   string
	Count    uint64
}

// OutcomeCount is one counter of SelectorStats.Outcomes.
type OutcomeCount struct {
	Protocol protocol.ID
	Outcome  Outcome
	Count    uint64
}

// ReplacementCount is one counter of SelectorStats.Replacements.
type ReplacementCount struct {
	Protocol protocol.ID
	Reason   string
	Count    uint64
}

// PoolStats describes one pool.
type PoolStats struct {
	Protocol protocol.ID
	Shard    shardmesh.Shard
	// Target is the pool's target size, Members its current size, Live its
	// connected members.
	Target, Members, Live int
}

// Stats returns a snapshot. It allocates; call it at scrape time, not on a
// hot path.
func (c *SelectorCore) Stats() SelectorStats {
	st := SelectorStats{Name: c.cfg.Name, UntrackedSelections: c.stats.untracked}
	results := [3]string{SelectionFull, SelectionPartial, SelectionNone}
	for r, ps := range c.protos {
		for i, n := range c.stats.selections[r] {
			if n > 0 {
				st.Selections = append(st.Selections, SelectionCount{ps.id, results[i], n})
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
