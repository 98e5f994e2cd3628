package selector

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/shardmesh"
)

// Selector is the service-peer selector a light client (status-go-like)
// embeds on its own, without the relay Manager: it owns a peer Book and a
// selection.Core, serialises access to them, reads the clock, and delivers
// the core's notifications on a channel without ever blocking. With
// WithHost it follows the host's connections and identify results itself
// (and, WithKeepalive, pings its pool members); add peers from discovery
// (peer exchange, DNS, static) with AddPeer, and report how each use of a
// peer went with Report.
//
// It speaks libp2p at its edges (peer.ID, protocol.ID) and the core's
// types inside (selection.Request, Notification, PoolMember, Stats, whose
// peers are peerid.ID: convert with peer.ID(id)).
//
// All methods are safe for concurrent use.
type Selector struct {
	mu      sync.Locker // own, or the relay Manager's (WithSharedBook)
	own     sync.Mutex
	shared  bool // the book is another shell's: never write host events into it
	book    *book.Book
	core    *selection.Core
	clock   func() time.Time
	log     *slog.Logger
	host    host.Host
	notes   chan selection.Notification
	closed  bool
	scratch []peerid.ID   // AppendSelect's destination, under mu
	changed chan struct{} // closed at the next change, when someone waits (SelectWait)

	dropped atomic.Uint64

	sub       event.Subscription
	cancel    context.CancelFunc
	wg        sync.WaitGroup // the host loop and the keep-alive
	closeOnce sync.Once
}

// New returns a selector with its own book. With WithHost it starts one
// goroutine reading the host's event bus, and with WithKeepalive one more
// pinging the pool members; Close stops them.
func New(opts ...Option) (*Selector, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.keepalive != nil && cfg.host == nil {
		return nil, optionError("WithKeepalive", "needs WithHost")
	}
	if cfg.storeCycle != nil && cfg.host == nil {
		return nil, optionError("WithStoreCycle", "needs WithHost")
	}
	b := cfg.sharedBook
	if b == nil {
		// The book tracks what the configuration names (light push v2 for
		// a preset that uses it); WithBookOptions may still override.
		bookOpts := append([]book.Option{book.WithTrackedProtocols(selection.TrackedProtocols(cfg.selection)...)}, cfg.bookOpts...)
		var err error
		if b, err = book.New(cfg.selection.Cluster, bookOpts...); err != nil {
			return nil, err
		}
	}
	s := &Selector{book: b, clock: cfg.clock, log: cfg.log, host: cfg.host,
		notes: make(chan selection.Notification, cfg.buffer)}
	s.mu = &s.own
	if cfg.sharedBook != nil {
		s.mu, s.shared = cfg.sharedLock, true
	}
	s.mu.Lock()
	core, err := selection.NewCore(b, cfg.selection)
	if err == nil {
		if w := cfg.poolWatch; w != nil {
			core.OnPoolMembership(func(id peerid.ID, in bool) { w(peer.ID(id), in) })
		}
		core.Tick(cfg.clock()) // declares the configured shards of interest
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.core = core
	if cfg.host == nil {
		return s, nil
	}
	if err := s.follow(cfg); err != nil {
		return nil, err
	}
	return s, nil
}

// Select returns up to req.Count service peers (see
// selection.Core.AppendSelect for the rules). It fails fast when ctx is
// done; it never waits for the network.
func (s *Selector) Select(ctx context.Context, req selection.Request) ([]peer.ID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	s.scratch, err = s.core.AppendSelect(s.scratch[:0], req, s.clock())
	s.flush()
	return libp2pIDs(s.scratch), err
}

// Report records the outcome of using peer id for protocol proto (see
// selection.Core.Report).
func (s *Selector) Report(id peer.ID, proto protocol.ID, o selection.Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.core.Report(peerid.ID(id), string(proto), o, s.clock())
	s.flush()
	return err
}

// ReportPeer applies outcome o to every protocol whose pools hold id (a
// keep-alive ping failure) and returns how many protocols it applied to.
func (s *Selector) ReportPeer(id peer.ID, o selection.Outcome) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.core.ReportPeer(peerid.ID(id), o, s.clock())
	s.flush()
	return n
}

// ObserveRTT folds an RTT sample of id into the book's EWMA.
func (s *Selector) ObserveRTT(id peer.ID, rtt time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.book.ObserveRTT(peerid.ID(id), rtt, s.clock())
}

// MetadataReceived records the cluster and shards a peer announced in a
// metadata exchange; they override its ENR's.
func (s *Selector) MetadataReceived(id peer.ID, cluster uint16, shards shardmesh.ShardSet) {
	s.update(id, func(p peerid.ID, now time.Time) { s.book.MetadataReceived(p, cluster, shards, now) })
}

// PeerConnected records a connection (callers without WithHost).
func (s *Selector) PeerConnected(id peer.ID, dir book.Direction, ip netip.Addr) {
	s.update(id, func(p peerid.ID, now time.Time) { s.book.Connected(p, dir, ip, now) })
}

// PeerDisconnected records that the last connection to id closed; pool
// members losing their connection are reported OutcomeDisconnected.
func (s *Selector) PeerDisconnected(id peer.ID) {
	s.update(id, func(p peerid.ID, now time.Time) { s.book.Disconnected(p, now) })
}

// PeerIdentified records the protocols identify reported for id.
func (s *Selector) PeerIdentified(id peer.ID, protos []protocol.ID) {
	s.update(id, func(p peerid.ID, now time.Time) { s.book.Identified(p, protocolStrings(protos), now) })
}

func (s *Selector) update(id peer.ID, f func(p peerid.ID, now time.Time)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	f(peerid.ID(id), now)
	s.core.PeerUpdated(peerid.ID(id), now)
	s.flush()
}

// BookChanged tells a selector over a shared book (WithSharedBook) that
// the book's owner changed id's record at now. The owner calls it with the
// shared lock held, after each change (connection, identify, metadata,
// discovery, dial failure).
func (s *Selector) BookChanged(id peerid.ID, now time.Time) {
	s.core.PeerUpdated(id, now)
	s.flush()
}

// Tick ends benching periods and refills short pools (the host-driven
// shell calls it by itself).
func (s *Selector) Tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.core.Tick(s.clock())
	s.flush()
}

// Release drops the pool of (proto, shard).
func (s *Selector) Release(proto protocol.ID, shard shardmesh.Shard) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.core.Release(string(proto), shard)
	s.flush()
}

// Pool returns the members of the pool of (proto, shard).
func (s *Selector) Pool(proto protocol.ID, shard shardmesh.Shard) []selection.PoolMember {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.core.Pool(string(proto), shard)
}

// PoolPeers returns every pool member once.
func (s *Selector) PoolPeers() []peer.ID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return libp2pIDs(s.core.PoolPeers())
}

// Health returns the light-client health of shard.
func (s *Selector) Health(shard shardmesh.Shard) selection.LightHealth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.core.Health(shard)
}

// BenchedUntil returns when id may serve proto again, if it is benched
// after a replacement (selection.Core.BenchedUntil).
func (s *Selector) BenchedUntil(id peer.ID, proto protocol.ID) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.core.BenchedUntil(peerid.ID(id), string(proto), s.clock())
}

// Stats returns a snapshot of the counters, pools and health, with the
// number of notifications dropped because the client did not read them.
func (s *Selector) Stats() selection.Stats {
	s.mu.Lock()
	st := s.core.Stats()
	s.mu.Unlock()
	st.NotificationsDropped = s.dropped.Load()
	return st
}

// Notifications returns the channel of the core's notifications. It is
// buffered; notifications a slow reader leaves behind are dropped
// (Stats().NotificationsDropped), never waited for. Close closes it.
func (s *Selector) Notifications() <-chan selection.Notification { return s.notes }

// Config returns the selection configuration.
func (s *Selector) Config() selection.Config { return s.core.Config() }

// Close stops the selector's goroutines (host loop, keep-alive) and closes
// the Notifications channel. It is idempotent.
func (s *Selector) Close() error {
	s.closeOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
			if s.sub != nil {
				_ = s.sub.Close()
			}
		}
		s.wg.Wait()
		s.mu.Lock()
		s.closed = true
		close(s.notes)
		s.mu.Unlock()
	})
	return nil
}

// flush delivers the core's notifications without blocking and wakes
// the SelectWait callers. Called with mu held.
func (s *Selector) flush() {
	s.signal()
	s.deliver()
}

// deliver delivers the core's notifications without blocking (SelectWait
// uses it alone: a waiter's own retries must not wake the other waiters).
// Called with mu held.
func (s *Selector) deliver() {
	for _, n := range s.core.Notifications() {
		if s.closed {
			continue
		}
		select {
		case s.notes <- n:
		default:
			s.dropped.Add(1)
		}
		s.log.Debug("selector notification", "kind", n.Kind, "protocol", n.Protocol, "shard", n.Shard.Index,
			"peer", n.Peer, "replacement", n.Replacement, "outcome", n.Outcome, "health", n.Health)
	}
}

func libp2pIDs(ids []peerid.ID) []peer.ID {
	out := make([]peer.ID, len(ids))
	for i, id := range ids {
		out[i] = peer.ID(id)
	}
	return out
}

func protocolStrings(ids []protocol.ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// Failures returns id's consecutive counted failures for proto.
func (s *Selector) Failures(id peer.ID, proto protocol.ID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.core.Failures(peerid.ID(id), string(proto))
}
