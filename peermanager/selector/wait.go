package selector

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// SelectWait is Select that waits, up to ctx's deadline, while no peer is
// eligible: go-waku's service-peer selection blocks while discv5 looks
// for a peer with the shard and capability. It retries whenever the
// selector's state changes (a peer added, connected, identified, a bench
// ending) and when the earliest benched candidate comes back; it never
// waits without a context. It returns at once on an error other than
// "no eligible peer" (a malformed request). When ctx ends first, the
// error wraps both ctx's error and the last selection error.
func (s *Selector) SelectWait(ctx context.Context, req selection.Request) ([]peer.ID, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.mu.Lock()
		var err error
		s.scratch, err = s.core.AppendSelect(s.scratch[:0], req, s.clock())
		s.deliver()
		if err == nil || !errors.Is(err, selection.ErrNoEligiblePeer) {
			ids := libp2pIDs(s.scratch)
			s.mu.Unlock()
			return ids, err
		}
		wake := s.waitChange()
		s.mu.Unlock()
		var retry <-chan time.Time
		var timer *time.Timer
		var se *selection.Error
		if errors.As(err, &se) && !se.RetryAt.IsZero() {
			timer = time.NewTimer(time.Until(se.RetryAt))
			retry = timer.C
		}
		select {
		case <-wake:
		case <-retry:
		case <-ctx.Done():
			err = fmt.Errorf("%w (last: %w)", ctx.Err(), err)
			if timer != nil {
				timer.Stop()
			}
			return nil, err
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// WaitStoreNode waits, up to ctx's deadline, for a store node on shard
// and returns it (go-waku's WaitForAvailableStoreNode,
// waku/v2/api/history/cycle.go, without its extra second).
func (s *Selector) WaitStoreNode(ctx context.Context, shard shardmesh.Shard) (peer.ID, error) {
	ids, err := s.SelectWait(ctx, selection.ForShard(protocols.Store, shard, 1))
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// waitChange returns a channel closed at the next state change. Called
// with mu held.
func (s *Selector) waitChange() <-chan struct{} {
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// signal wakes the waiters, if any. Called with mu held (by flush).
func (s *Selector) signal() {
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}
