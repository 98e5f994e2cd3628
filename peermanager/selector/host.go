package selector

import (
	"context"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
)

// follow subscribes to the host's event bus, records its current
// connections and starts the goroutines New promises: the host loop and,
// when configured, the keep-alive.
func (s *Selector) follow(cfg config) error {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if s.shared {
		// The book's owner feeds host events (BookChanged); only the
		// ticks and the pings are ours.
		s.wg.Add(1)
		go s.run(ctx, cfg.tick)
		s.startPingers(ctx, cfg)
		return nil
	}
	sub, err := s.host.EventBus().Subscribe([]any{
		new(event.EvtPeerConnectednessChanged),
		new(event.EvtPeerIdentificationCompleted),
		new(event.EvtPeerProtocolsUpdated),
	})
	if err != nil {
		return err
	}
	s.sub = sub
	s.seed()
	s.wg.Add(1)
	go s.run(ctx, cfg.tick)
	s.startPingers(ctx, cfg)
	return nil
}

// startPingers starts the keep-alive and the store cycle, when configured.
func (s *Selector) startPingers(ctx context.Context, cfg config) {
	if cfg.keepalive != nil {
		s.wg.Add(1)
		go s.keepalive(ctx, *cfg.keepalive)
	}
	if cfg.storeCycle != nil {
		s.wg.Add(1)
		go s.storeCycle(ctx, *cfg.storeCycle)
	}
}

// seed records the host's current connections and known protocols.
func (s *Selector) seed() {
	for _, id := range s.host.Network().Peers() {
		s.connected(id)
	}
}

func (s *Selector) run(ctx context.Context, tick time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(tick)
	defer t.Stop()
	var events <-chan any
	if s.sub != nil {
		events = s.sub.Out()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Tick()
		case ev, ok := <-events:
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
