package peermanager

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
)

// Keepalive pings the selector's pool members with libp2p ping
// (/ipfs/ping/1.0.0) on an interval and feeds the results back: an RTT
// sample for the book's EWMA on success, OutcomePingFailed (for every
// protocol whose pool holds the peer) on failure or timeout. Pinging a
// member that is not connected redials it, which is what keeps a light
// client's service connections alive.
//
// It owns one goroutine (plus at most Parallel pings in flight per round),
// started by NewKeepalive and stopped by Close.
type Keepalive struct {
	host   host.Host
	sel    *Selector
	opts   keepaliveOptions
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// KeepaliveOption configures a Keepalive.
type KeepaliveOption func(*keepaliveOptions) error

type keepaliveOptions struct {
	interval time.Duration
	timeout  time.Duration
	parallel int
	log      *slog.Logger
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

// ErrInvalidKeepaliveOption is wrapped by the errors of invalid options.
var ErrInvalidKeepaliveOption = errors.New("peermanager: invalid keepalive option")

// WithKeepaliveInterval sets the time between rounds.
func WithKeepaliveInterval(d time.Duration) KeepaliveOption {
	return func(o *keepaliveOptions) error {
		if d <= 0 {
			return fmt.Errorf("%w: interval %v, want > 0", ErrInvalidKeepaliveOption, d)
		}
		o.interval = d
		return nil
	}
}

// WithKeepaliveTimeout sets how long one ping (with its dial) may take.
func WithKeepaliveTimeout(d time.Duration) KeepaliveOption {
	return func(o *keepaliveOptions) error {
		if d <= 0 {
			return fmt.Errorf("%w: timeout %v, want > 0", ErrInvalidKeepaliveOption, d)
		}
		o.timeout = d
		return nil
	}
}

// WithKeepaliveParallel bounds the pings in flight.
func WithKeepaliveParallel(n int) KeepaliveOption {
	return func(o *keepaliveOptions) error {
		if n < 1 {
			return fmt.Errorf("%w: parallel %d, want >= 1", ErrInvalidKeepaliveOption, n)
		}
		o.parallel = n
		return nil
	}
}

// WithKeepaliveLogger sets the logger (default: discard).
func WithKeepaliveLogger(l *slog.Logger) KeepaliveOption {
	return func(o *keepaliveOptions) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidKeepaliveOption)
		}
		o.log = l
		return nil
	}
}

// NewKeepalive starts pinging sel's pool members from h. The timeout must
// be shorter than the interval, so that rounds never overlap.
func NewKeepalive(h host.Host, sel *Selector, opts ...KeepaliveOption) (*Keepalive, error) {
	o := keepaliveOptions{interval: DefaultKeepaliveInterval, timeout: DefaultKeepaliveTimeout,
		parallel: DefaultKeepaliveParallel, log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if h == nil || sel == nil {
		return nil, fmt.Errorf("%w: nil host or selector", ErrInvalidKeepaliveOption)
	}
	if o.timeout >= o.interval {
		return nil, fmt.Errorf("%w: timeout %v not below interval %v", ErrInvalidKeepaliveOption, o.timeout, o.interval)
	}
	ctx, cancel := context.WithCancel(context.Background())
	k := &Keepalive{host: h, sel: sel, opts: o, cancel: cancel, done: make(chan struct{})}
	go k.run(ctx)
	return k, nil
}

// Close stops the keep-alive and waits for its pings to end. Idempotent.
func (k *Keepalive) Close() error {
	k.once.Do(func() {
		k.cancel()
		<-k.done
	})
	return nil
}

func (k *Keepalive) run(ctx context.Context) {
	defer close(k.done)
	t := time.NewTicker(k.opts.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			k.round(ctx)
		}
	}
}

// round pings every pool member once, at most parallel at a time, and
// returns when all are done.
func (k *Keepalive) round(ctx context.Context) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, k.opts.parallel)
	for _, id := range k.sel.PoolPeers() {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			k.ping(ctx, id)
		})
	}
	wg.Wait()
}

func (k *Keepalive) ping(ctx context.Context, id peer.ID) {
	pctx, cancel := context.WithTimeout(ctx, k.opts.timeout)
	defer cancel()
	res, ok := <-ping.Ping(pctx, k.host, id)
	if ctx.Err() != nil {
		return // shutting down: the failure says nothing about the peer
	}
	if !ok || res.Error != nil {
		err := pctx.Err()
		if ok {
			err = res.Error
		}
		k.opts.log.Debug("keep-alive ping failed", "peer", id, "err", err)
		k.sel.ReportPeer(id, OutcomePingFailed)
		return
	}
	k.sel.ObserveRTT(id, res.RTT)
}
