package peermanager

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// Selector is the service-peer selector a light client (status-go-like)
// embeds on its own, without the relay Manager: it owns a peer Book and a
// SelectorCore, serialises access to them, reads the clock, and delivers
// the core's events on a channel without ever blocking. With
// WithSelectorHost it follows the host's connections and identify results
// itself; add peers from discovery (peer exchange, DNS, static) with
// AddPeer, and report how each use of a peer went with Report.
//
// All methods are safe for concurrent use.
type Selector struct {
	mu     sync.Mutex
	book   *book.Book
	core   *SelectorCore
	clock  func() time.Time
	log    *slog.Logger
	host   host.Host
	events chan SelectorEvent
	closed bool

	dropped atomic.Uint64

	sub       event.Subscription
	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

// NewSelector returns a selector with its own book. With a host it starts
// one goroutine reading the host's event bus; Close stops it.
func NewSelector(opts ...SelectorOption) (*Selector, error) {
	o := defaultSelectorOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	b, err := book.New(o.cfg.Cluster, o.bookOpts...)
	if err != nil {
		return nil, err
	}
	core, err := NewSelectorCore(b, o.cfg)
	if err != nil {
		return nil, err
	}
	s := &Selector{book: b, core: core, clock: o.clock, log: o.log, host: o.host,
		events: make(chan SelectorEvent, o.buffer), done: make(chan struct{})}
	if o.host == nil {
		close(s.done)
		return s, nil
	}
	s.sub, err = o.host.EventBus().Subscribe([]any{
		new(event.EvtPeerConnectednessChanged),
		new(event.EvtPeerIdentificationCompleted),
		new(event.EvtPeerProtocolsUpdated),
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.seed()
	go s.run(ctx, o.tick)
	return s, nil
}

// Select returns up to req.Count service peers (see
// SelectorCore.AppendSelect for the rules). It fails fast when ctx is
// done; it never waits for the network.
func (s *Selector) Select(ctx context.Context, req Request) ([]peer.ID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids, err := s.core.Select(req, s.clock())
	s.flush()
	return ids, err
}

// Report records the outcome of using peer id for protocol proto (see
// SelectorCore.Report).
func (s *Selector) Report(id peer.ID, proto protocol.ID, o Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.core.Report(id, proto, o, s.clock())
	s.flush()
	return err
}

// ReportPeer applies outcome o to every protocol whose pools hold id (a
// keep-alive ping failure) and returns how many protocols it applied to.
func (s *Selector) ReportPeer(id peer.ID, o Outcome) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.core.ReportPeer(id, o, s.clock())
	s.flush()
	return n
}

// ObserveRTT folds an RTT sample of id into the book's EWMA.
func (s *Selector) ObserveRTT(id peer.ID, rtt time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.book.ObserveRTT(peerid.ID(id), rtt, s.clock())
}

// AddPeer records a discovered peer (from peer exchange, DNS discovery,
// static configuration) with what its ENR says.
func (s *Selector) AddPeer(d book.DiscoveredPeer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	if _, err := s.book.Discover(d, now); err != nil {
		return err
	}
	s.core.PeerUpdated(peer.ID(d.ID), now)
	s.flush()
	return nil
}

// MetadataReceived records the cluster and shards a peer announced in a
// metadata exchange; they override its ENR's.
func (s *Selector) MetadataReceived(id peer.ID, cluster uint16, shards shardmesh.ShardSet) {
	s.update(id, func(now time.Time) { s.book.MetadataReceived(peerid.ID(id), cluster, shards, now) })
}

// PeerConnected records a connection (callers without WithSelectorHost).
func (s *Selector) PeerConnected(id peer.ID, dir book.Direction, ip netip.Addr) {
	s.update(id, func(now time.Time) { s.book.Connected(peerid.ID(id), dir, ip, now) })
}

// PeerDisconnected records that the last connection to id closed; pool
// members losing their connection are reported OutcomeDisconnected.
func (s *Selector) PeerDisconnected(id peer.ID) {
	s.update(id, func(now time.Time) { s.book.Disconnected(peerid.ID(id), now) })
}

// PeerIdentified records the protocols identify reported for id.
func (s *Selector) PeerIdentified(id peer.ID, protos []protocol.ID) {
	s.update(id, func(now time.Time) { s.book.Identified(peerid.ID(id), protocolStrings(protos), now) })
}

func (s *Selector) update(id peer.ID, f func(now time.Time)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	f(now)
	s.core.PeerUpdated(id, now)
	s.flush()
}

// Tick expires cooldowns and refills short pools (the host-driven shell
// calls it by itself).
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
	s.core.Release(proto, shard)
	s.flush()
}

// Pool returns the members of the pool of (proto, shard).
func (s *Selector) Pool(proto protocol.ID, shard shardmesh.Shard) []PoolMember {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.core.Pool(proto, shard)
}

// PoolPeers returns every pool member once.
func (s *Selector) PoolPeers() []peer.ID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.core.PoolPeers()
}

// Health returns the light-client health of shard.
func (s *Selector) Health(shard shardmesh.Shard) LightHealth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.core.Health(shard)
}

// CoolingDownUntil returns when id may serve proto again, if it is
// cooling down.
func (s *Selector) CoolingDownUntil(id peer.ID, proto protocol.ID) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.core.CoolingDownUntil(id, proto, s.clock())
}

// Stats returns a snapshot of the counters, pools and health, with the
// number of events dropped because the client did not read them.
func (s *Selector) Stats() SelectorStats {
	s.mu.Lock()
	st := s.core.Stats()
	s.mu.Unlock()
	st.EventsDropped = s.dropped.Load()
	return st
}

// Events returns the channel of selector events. It is buffered; events a
// slow reader leaves behind are dropped (Stats().EventsDropped), never
// waited for. It is closed by Close.
func (s *Selector) Events() <-chan SelectorEvent { return s.events }

// Config returns the selection policy.
func (s *Selector) Config() SelectorConfig { return s.core.Config() }

// Close stops the host goroutine (if any) and closes the Events channel.
// It is idempotent.
func (s *Selector) Close() error {
	s.closeOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
			_ = s.sub.Close()
		}
		<-s.done
		s.mu.Lock()
		s.closed = true
		close(s.events)
		s.mu.Unlock()
	})
	return nil
}

// flush delivers the core's events without blocking. Called with mu held.
func (s *Selector) flush() {
	for _, e := range s.core.Events() {
		if s.closed {
			continue
		}
		select {
		case s.events <- e:
		default:
			s.dropped.Add(1)
		}
		s.log.Debug("selector event", "kind", e.Kind, "protocol", e.Protocol, "shard", e.Shard.Index,
			"peer", e.Peer, "replacement", e.Replacement, "outcome", e.Outcome, "health", e.Health)
	}
}

// seed records the host's current connections and known protocols.
func (s *Selector) seed() {
	for _, id := range s.host.Network().Peers() {
		s.connected(id)
	}
}

func (s *Selector) run(ctx context.Context, tick time.Duration) {
	defer close(s.done)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Tick()
		case ev, ok := <-s.sub.Out():
			if !ok {
				return
			}
			s.handle(ev)
		}
	}
}

func (s *Selector) handle(ev any) {
	switch e := ev.(type) {
	case event.EvtPeerConnectednessChanged:
		if e.Connectedness == network.Connected {
			s.connected(e.Peer)
		} else {
			s.PeerDisconnected(e.Peer)
		}
	case event.EvtPeerIdentificationCompleted:
		// The bus does not order identify after the connection event.
		if s.knows(e.Peer) || s.host.Network().Connectedness(e.Peer) != network.Connected {
			s.PeerIdentified(e.Peer, e.Protocols)
		} else {
			s.connected(e.Peer)
		}
	case event.EvtPeerProtocolsUpdated:
		if protos, err := s.host.Peerstore().GetProtocols(e.Peer); err == nil {
			s.PeerIdentified(e.Peer, protos)
		}
	}
}

// connected records a connection with its direction and remote IP from the
// host's connection list.
func (s *Selector) connected(id peer.ID) {
	dir, ip := book.DirectionUnknown, netip.Addr{}
	if conns := s.host.Network().ConnsToPeer(id); len(conns) > 0 {
		c := conns[0]
		if c.Stat().Direction == network.DirOutbound {
			dir = book.Outbound
		} else {
			dir = book.Inbound
		}
		if nip, err := manet.ToIP(c.RemoteMultiaddr()); err == nil {
			if a, ok := netip.AddrFromSlice(nip); ok {
				ip = a.Unmap()
			}
		}
	}
	s.PeerConnected(id, dir, ip)
	if protos, err := s.host.Peerstore().GetProtocols(id); err == nil && len(protos) > 0 {
		s.PeerIdentified(id, protos) // identify may have finished first
	}
}

func (s *Selector) knows(id peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.book.Get(peerid.ID(id)) != nil
}
