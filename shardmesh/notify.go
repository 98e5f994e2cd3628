package shardmesh

import "slices"

// ShardHealthChange reports the level of one shard as last seen by a
// subscriber.
type ShardHealthChange struct {
	Shard Shard
	// Joined is false when we left the shard; Health is then Unhealthy.
	Joined bool
	// Health is the shard's current level.
	Health Health
}

// Subscription delivers health changes of a Tracker to one consumer without
// ever blocking the Tracker.
//
// Delivery is level-based and coalesced: the Tracker only marks a shard as
// changed and signals Ready (a channel of capacity 1, written without
// blocking); Next then reports, for every marked shard, its level at the time
// of the call if it differs from what this subscription last reported. So a
// consumer
//   - first gets the current level of every joined shard,
//   - then sees each shard's levels in the order they happened, possibly
//     skipping intermediate ones it was too slow to observe,
//   - never gets the same (Joined, Health) twice in a row for a shard,
//   - costs the Tracker O(1) per change and memory bounded by the number of
//     shards ever joined, however long it stops reading.
//
// Typical consumer loop (Ready is closed by Close, ending the loop):
//
//	sub := tracker.Subscribe()
//	defer sub.Close()
//	var changes []shardmesh.ShardHealthChange
//	for range sub.Ready() {
//		changes = sub.Next(changes[:0])
//		for _, c := range changes {
//			// react: discover peers for c.Shard if c.Health < SufficientlyHealthy ...
//		}
//	}
type Subscription struct {
	t      *Tracker
	ready  chan struct{}
	closed bool

	// Guarded by t.mu.
	pending  []int32       // shard indexes marked since the last Next
	marked   []bool        // by shard index: in pending
	reported []shardReport // by shard index: last reported state
}

type shardReport struct {
	joined bool
	health Health
}

// Subscribe returns a new subscription whose first Next reports the current
// level of every joined shard. Call Close when done.
func (t *Tracker) Subscribe() *Subscription {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := &Subscription{t: t, ready: make(chan struct{}, 1)}
	for si := range t.shards {
		if t.shards[si].joined {
			s.mark(int32(si))
		}
	}
	t.subs = append(t.subs, s)
	return s
}

// Ready receives a value when changes may be pending, and is closed by
// Close. A receive may find Next returning nothing: signals are coalesced
// and never lost, but may be spurious.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Next appends to dst the changes pending since the previous call, at most
// one per shard, in the order the shards first changed, and returns dst. It
// never blocks on the Tracker's events for longer than one event takes.
func (s *Subscription) Next(dst []ShardHealthChange) []ShardHealthChange {
	t := s.t
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, si := range s.pending {
		s.marked[si] = false
		st := &t.shards[si]
		now := shardReport{joined: st.joined, health: st.health}
		if now == s.reported[si] {
			continue
		}
		s.reported[si] = now
		dst = append(dst, ShardHealthChange{Shard: st.shard, Joined: now.joined, Health: now.health})
	}
	s.pending = s.pending[:0]
	return dst
}

// Close detaches the subscription from the Tracker and closes Ready. It is
// idempotent.
func (s *Subscription) Close() {
	t := s.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if i := slices.Index(t.subs, s); i >= 0 {
		t.subs = slices.Delete(t.subs, i, i+1)
	}
	s.pending = nil
	close(s.ready)
}

// notify marks shard si changed for every subscriber. Called with t.mu held.
func (t *Tracker) notify(si int32) {
	for _, s := range t.subs {
		s.mark(si)
	}
}

// mark queues shard si and signals Ready without blocking.
func (s *Subscription) mark(si int32) {
	if int(si) >= len(s.marked) {
		n := len(s.t.shards)
		s.marked = append(s.marked, make([]bool, n-len(s.marked))...)
		s.reported = append(s.reported, make([]shardReport, n-len(s.reported))...)
	}
	if s.marked[si] {
		return // already signalled; Next will read the newest state
	}
	s.marked[si] = true
	s.pending = append(s.pending, si)
	select {
	case s.ready <- struct{}{}:
	default:
	}
}
