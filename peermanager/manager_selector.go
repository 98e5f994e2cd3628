package peermanager

import (
	"errors"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/peermanager/selector"
)

// A full node is also a client: go-waku runs one peer manager for relay
// and for its filter, store and light-push clients
// (waku/v2/peermanager/peer_manager.go SelectPeers). NewSelector gives the
// node's clients a service-peer selector over the Manager's own book,
// under the Manager's lock: one book, one metadata service (the
// Manager's), one set of host notifications. The Manager writes every
// event into the book and tells the selectors which peer changed.

// NewSelector returns a service-peer selector sharing the Manager's book
// and lock (selector.WithSharedBook), with the Manager's clock. Pass
// selector.WithHost(h) for its keep-alive and store cycle, and
// selector.WithConfig for the selection (its cluster must be the
// Manager's, its protocols tracked by the book: WithBookOptions). The
// caller closes it before or after the Manager.
func (m *Manager) NewSelector(opts ...selector.Option) (*selector.Selector, error) {
	all := append([]selector.Option{selector.WithClock(m.cfg.clock)}, opts...)
	all = append(all, selector.WithSharedBook(m.core.Book(), &m.mu),
		// The node's service peers are never pruned as relay peers.
		selector.WithPoolWatcher(func(id peer.ID, inUse bool) { m.push(relay.ServicePeerChanged{ID: peerid.ID(id), InUse: inUse}) }))
	s, err := selector.New(all...)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.selectors = append(m.selectors, s)
	m.mu.Unlock()
	return s, nil
}

// DialFailed reports a dial to id that failed outside the Manager (a
// filter, store or light-push client's): the peer is backed off in the
// shared book like a failed dial of the Manager's own.
func (m *Manager) DialFailed(id peer.ID) error {
	if id == "" {
		return errors.New("peermanager: DialFailed of an empty peer id")
	}
	m.push(relay.DialFailed{ID: peerid.ID(id)})
	return nil
}

// eventPeer returns the peer an event changes in the book.
func eventPeer(ev relay.Event) (peerid.ID, bool) {
	switch e := ev.(type) {
	case relay.PeerDiscovered:
		return e.Peer.ID, true
	case relay.PeerConnected:
		return e.ID, true
	case relay.PeerDisconnected:
		return e.ID, true
	case relay.PeerIdentified:
		return e.ID, true
	case relay.MetadataReceived:
		return e.ID, true
	case relay.MetadataFailed:
		return e.ID, true
	case relay.DialFailed:
		return e.ID, true
	case relay.DialSucceeded:
		return e.ID, true
	case relay.RTTMeasured:
		return e.ID, true
	}
	return "", false
}
