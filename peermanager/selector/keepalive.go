package selector

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"

	"github.com/wakupm/wakupm/peermanager/selection"
)

// KeepaliveConfig is the keep-alive of WithKeepalive: every Interval the
// Selector pings each pool member once with libp2p ping (/ipfs/ping/1.0.0),
// at most Parallel at a time, each within Timeout, and feeds the results
// back: an RTT sample for the book's EWMA on success,
// selection.OutcomePingFailed (for every protocol whose pool holds the
// peer, Core.ReportPeer) on failure or timeout. Pinging a member that is
// not connected redials it, which is what keeps a light client's service
// connections alive.
type KeepaliveConfig struct {
	// Interval is the time between rounds.
	Interval time.Duration
	// Timeout bounds one ping with its dial; it must be shorter than
	// Interval, so that rounds never overlap.
	Timeout time.Duration
	// Parallel bounds the pings in flight.
	Parallel int
}

// Keep-alive defaults.
const (
	// DefaultKeepaliveInterval: p2p-reliability recommends a filter ping
	// every minute; a libp2p ping on the same beat finds a dead service
	// node before the next filter ping does.
	DefaultKeepaliveInterval = time.Minute
	// DefaultKeepaliveTimeout: go-waku's filter PingTimeout (5 s,
	// protocol/filter/filter_health_check.go).
	DefaultKeepaliveTimeout = 5 * time.Second
	// DefaultKeepaliveParallel bounds the pings in flight per round.
	DefaultKeepaliveParallel = 8
)

// DefaultKeepaliveConfig returns the default keep-alive.
func DefaultKeepaliveConfig() KeepaliveConfig {
	return KeepaliveConfig{Interval: DefaultKeepaliveInterval, Timeout: DefaultKeepaliveTimeout,
		Parallel: DefaultKeepaliveParallel}
}

func (k KeepaliveConfig) validate() error {
	switch {
	case k.Interval <= 0 || k.Timeout <= 0:
		return fmt.Errorf("interval %v and timeout %v, want both > 0", k.Interval, k.Timeout)
	case k.Timeout >= k.Interval:
		return fmt.Errorf("timeout %v not below interval %v", k.Timeout, k.Interval)
	case k.Parallel < 1:
		return fmt.Errorf("parallel %d, want >= 1", k.Parallel)
	}
	return nil
}

// keepalive runs the rounds on one goroutine owned by the Selector (plus
// at most Parallel pings in flight), stopped by Selector.Close.
func (s *Selector) keepalive(ctx context.Context, k KeepaliveConfig) {
	defer s.wg.Done()
	t := time.NewTicker(k.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s.Online() { // offline, a failed ping says nothing about the peer
				s.pingRound(ctx, k)
			}
		}
	}
}

// pingRound pings every pool member once, at most Parallel at a time, and
// returns when all are done.
func (s *Selector) pingRound(ctx context.Context, k KeepaliveConfig) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, k.Parallel)
	for _, id := range s.PoolPeers() {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			s.ping(ctx, id, k.Timeout)
		})
	}
	wg.Wait()
}

func (s *Selector) ping(ctx context.Context, id peer.ID, timeout time.Duration) {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, ok := <-ping.Ping(pctx, s.host, id)
	if ctx.Err() != nil {
		return // shutting down: the failure says nothing about the peer
	}
	if !ok || res.Error != nil {
		err := pctx.Err()
		if ok {
			err = res.Error
		}
		s.log.Debug("keep-alive ping failed", "peer", id, "err", err)
		s.ReportPeer(id, selection.OutcomePingFailed)
		return
	}
	s.ObserveRTT(id, res.RTT)
}
