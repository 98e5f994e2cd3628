package selector

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// StoreCycleConfig is the store-node cycle of WithStoreCycle: every
// Interval (and once at start) the Selector pings the store candidates of
// each shard (selection.Core.ProbeCandidates: pinned nodes, the pool,
// other store peers on the shard), at most Parallel at a time, each within
// Timeout. A reply is an RTT sample; a candidate that does not answer and
// is not connected is put in dial backoff for Backoff, so that the next
// choice skips it. The choice itself is the store protocol's policy
// (PolicyFastest in StatusPreset), runtime pins come first (Pin, PinFor),
// and a node failing its requests is graylisted by the replacement rule;
// see selection/storenode.go. go-waku's cycle pings on every change of
// store node (waku/v2/api/history/cycle.go getAvailableStorenodesSortedByRTT,
// 4 s per ping).
type StoreCycleConfig struct {
	// Shards are the shards whose store nodes are probed; empty: the
	// configuration's declared shards (selection.Config.Shards).
	Shards []shardmesh.Shard
	// Interval is the time between ping rounds; Timeout bounds one ping
	// with its dial (below Interval); Parallel bounds the pings in flight.
	Interval, Timeout time.Duration
	Parallel          int
	// MaxCandidates bounds the candidates probed per shard.
	MaxCandidates int
	// Backoff is the dial backoff of a candidate that did not answer.
	Backoff time.Duration
}

// Store-cycle defaults.
const (
	DefaultStoreCycleInterval = time.Minute
	// DefaultStoreCycleTimeout: go-waku's 4 s per store-node ping.
	DefaultStoreCycleTimeout       = 4 * time.Second
	DefaultStoreCycleParallel      = 8
	DefaultStoreCycleMaxCandidates = 16
)

// DefaultStoreCycleConfig returns the default store-node cycle.
func DefaultStoreCycleConfig() StoreCycleConfig {
	return StoreCycleConfig{Interval: DefaultStoreCycleInterval, Timeout: DefaultStoreCycleTimeout,
		Parallel: DefaultStoreCycleParallel, MaxCandidates: DefaultStoreCycleMaxCandidates,
		Backoff: DefaultStoreCycleInterval}
}

func (k StoreCycleConfig) validate() error {
	switch {
	case k.Interval <= 0 || k.Timeout <= 0 || k.Timeout >= k.Interval:
		return fmt.Errorf("interval %v and timeout %v: want 0 < timeout < interval", k.Interval, k.Timeout)
	case k.Parallel < 1 || k.MaxCandidates < 1:
		return fmt.Errorf("parallel %d and max candidates %d, want both >= 1", k.Parallel, k.MaxCandidates)
	case k.Backoff < 0:
		return fmt.Errorf("negative backoff %v", k.Backoff)
	}
	return nil
}

// WithStoreCycle runs the store-node cycle (see StoreCycleConfig) on a
// goroutine owned by the Selector. It needs WithHost.
func WithStoreCycle(k StoreCycleConfig) Option {
	return func(c *config) error {
		if err := k.validate(); err != nil {
			return optionError("WithStoreCycle", "%v", err)
		}
		c.storeCycle = &k
		return nil
	}
}

func (s *Selector) storeCycle(ctx context.Context, k StoreCycleConfig) {
	defer s.wg.Done()
	shards := k.Shards
	if len(shards) == 0 {
		cfg := s.core.Config()
		for _, i := range cfg.Shards {
			shards = append(shards, shardmesh.Shard{Cluster: cfg.Cluster, Index: i})
		}
	}
	t := time.NewTicker(k.Interval)
	defer t.Stop()
	for {
		if s.Online() {
			s.probeRound(ctx, k, shards)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// probeRound pings the store candidates of every shard once and returns
// when all are done.
func (s *Selector) probeRound(ctx context.Context, k StoreCycleConfig, shards []shardmesh.Shard) {
	var ids []peerid.ID
	s.mu.Lock()
	now := s.clock()
	for _, sh := range shards {
		ids = s.core.ProbeCandidates(ids, protocols.Store, sh, k.MaxCandidates, now)
	}
	s.mu.Unlock()
	seen := make(map[peerid.ID]bool, len(ids))
	var wg sync.WaitGroup
	sem := make(chan struct{}, k.Parallel)
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			s.probe(ctx, peer.ID(id), k)
		})
	}
	wg.Wait()
	s.Tick() // refill with the new RTTs
}

func (s *Selector) probe(ctx context.Context, id peer.ID, k StoreCycleConfig) {
	pctx, cancel := context.WithTimeout(ctx, k.Timeout)
	defer cancel()
	res, ok := <-ping.Ping(pctx, s.host, id)
	if ctx.Err() != nil {
		return
	}
	if ok && res.Error == nil {
		s.ObserveRTT(id, res.RTT)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	if p := s.book.Get(peerid.ID(id)); p != nil && p.Connectedness() != book.Connected {
		s.book.DialFailed(peerid.ID(id), now.Add(k.Backoff), now)
		s.core.PeerUpdated(peerid.ID(id), now)
		s.flush()
	}
}

// Pin sets the pinned peers of proto on every shard at runtime (the
// user's pinned store node; nil unpins); it takes effect on the next
// selection (selection.Core.Pin).
func (s *Selector) Pin(proto protocol.ID, ids ...peer.ID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.core.Pin(string(proto), peerIDs(ids), s.clock())
	s.flush()
	return err
}

// PinFor sets the pinned peers of proto on one shard (a community's store
// nodes); nil removes the override (selection.Core.PinFor).
func (s *Selector) PinFor(proto protocol.ID, shard shardmesh.Shard, ids ...peer.ID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.core.PinFor(string(proto), shard, peerIDs(ids), s.clock())
	s.flush()
	return err
}

// StoreNode returns the store node in use on shard, if any.
func (s *Selector) StoreNode(shard shardmesh.Shard) (peer.ID, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.core.StoreNode(shard)
	return peer.ID(id), ok
}

// DeclareShard declares a shard of interest at runtime (a community
// joined): its filter and light-push pools are filled and its health
// graded at once (selection.Core.DeclareShard).
func (s *Selector) DeclareShard(shard shardmesh.Shard) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.core.DeclareShard(shard, s.clock())
	s.flush()
	return err
}

func peerIDs(ids []peer.ID) []peerid.ID {
	out := make([]peerid.ID, len(ids))
	for i, id := range ids {
		out[i] = peerid.ID(id)
	}
	return out
}
