package peermanager

import (
	"slices"
	"time"

	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
)

// loop is the only goroutine that steps the core.
func (m *Manager) loop() {
	var health <-chan struct{}
	var sub *shardmesh.Subscription
	if m.cfg.tracker != nil {
		sub = m.cfg.tracker.Subscribe()
		defer sub.Close()
		health = sub.Ready()
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	due := m.cfg.clock() // when timer fires
	var announce <-chan time.Time
	if m.cfg.tracker != nil && m.cfg.relay.ReadsGossipsubTopics() {
		poll := time.NewTicker(announcePoll)
		defer poll.Stop()
		announce = poll.C
	}
	var changes []shardmesh.ShardHealthChange
	var batch []relay.Event
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-timer.C:
			m.announceTopics()
			m.step(relay.Tick{})
			m.mu.Lock()
			next := m.core.NextTick()
			m.mu.Unlock()
			timer.Reset(next)
			due = m.cfg.clock().Add(next)
			m.tickSooner(timer, &due)
		case <-announce:
			m.announceTopics()
			m.tickSooner(timer, &due)
		case <-health:
			changes = sub.Next(changes[:0])
			for _, c := range changes {
				if c.Shard.Cluster != m.cfg.relay.Cluster {
					continue
				}
				m.followJoin(c)
				if c.Joined {
					m.step(relay.HealthChanged{Shard: c.Shard, Health: c.Health})
				}
			}
		case <-m.signal:
			m.qmu.Lock()
			batch = m.queue.drain(batch[:0])
			m.qmu.Unlock()
			for _, ev := range batch {
				m.step(ev)
			}
			clear(batch)
			m.tickSooner(timer, &due)
		}
	}
}

// followJoin subscribes or unsubscribes as gossipsub joins or leaves a
// shard's topic.
func (m *Manager) followJoin(c shardmesh.ShardHealthChange) {
	m.subMu.Lock()
	was := m.subscribed.Contains(c.Shard.Index)
	if c.Joined {
		m.subscribed.Add(c.Shard.Index)
	} else {
		m.subscribed.Remove(c.Shard.Index)
	}
	m.subMu.Unlock()
	switch {
	case c.Joined && !was:
		m.step(relay.Subscribed{Shard: c.Shard})
		m.shardsChanged()
	case !c.Joined && was:
		m.step(relay.Unsubscribed{Shard: c.Shard})
		m.shardsChanged()
	}
}

func (m *Manager) step(ev relay.Event) {
	m.mu.Lock()
	now := m.cfg.clock()
	actions := slices.Clone(m.core.Step(ev, now))
	if id, ok := eventPeer(ev); ok {
		for _, s := range m.selectors {
			s.BookChanged(id, now)
		}
	}
	m.mu.Unlock()
	for _, a := range actions {
		m.execute(a)
	}
}

// tickSooner brings the next tick forward to when a dial in flight stops
// counting toward its shards (relay.Core.DialCreditEndsIn), when that is
// sooner than the tick already due: those shards then dial again at once.
func (m *Manager) tickSooner(timer *time.Timer, due *time.Time) {
	m.mu.Lock()
	wait, ok := m.core.DialCreditEndsIn()
	m.mu.Unlock()
	if !ok {
		return
	}
	if at := m.cfg.clock().Add(wait); at.Before(*due) {
		timer.Reset(wait)
		*due = at
	}
}
