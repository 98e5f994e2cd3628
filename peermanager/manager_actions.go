package peermanager

import (
	"context"
	"errors"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
)

// execute carries out one action of the core. Dials and discovery run on
// goroutines the manager owns; the core bounds how many (MaxDialsInFlight,
// one discovery per shard).
func (m *Manager) execute(a relay.Action) {
	id := peer.ID(a.Peer)
	switch a.Kind {
	case relay.ActDial:
		m.spawn(func() { m.dial(id) })
	case relay.ActDisconnect:
		m.log.Debug("disconnecting", "peer", id, "reason", a.Reason)
		if err := m.host.Network().ClosePeer(id); err != nil {
			m.log.Debug("disconnect failed", "peer", id, "err", err)
		}
	case relay.ActDiscover:
		if m.cfg.discoverer == nil {
			m.push(relay.DiscoveryDone{Shard: a.Shard})
			return
		}
		shard, n := a.Shard, a.Count
		m.spawn(func() { m.find(shard, n, true) })
	case relay.ActProtect:
		m.host.ConnManager().Protect(id, m.cfg.protectTag)
	case relay.ActUnprotect:
		m.host.ConnManager().Unprotect(id, m.cfg.protectTag)
	case relay.ActNotify:
		switch a.Notice {
		case relay.NoticePeerForgotten:
			if m.host.Network().Connectedness(id) != network.Connected {
				m.host.Peerstore().RemovePeer(id)
				m.host.Peerstore().ClearAddrs(id)
			}
		case relay.NoticeShardBelowFloor, relay.NoticeShardAtFloor:
			m.log.Debug("shard floor", "shard", a.Shard, "notice", a.Notice)
		}
	}
}

// dial connects to p with the policy's timeout and reports the outcome.
func (m *Manager) dial(p peer.ID) {
	ctx, cancel := context.WithTimeout(m.ctx, m.cfg.relay.DialTimeout)
	defer cancel()
	err := m.host.Connect(ctx, peer.AddrInfo{ID: p})
	if m.ctx.Err() != nil {
		return
	}
	if err != nil {
		m.log.Debug("dial failed", "peer", p, "err", err)
		m.push(relay.DialFailed{ID: peerid.ID(p), Cause: DialCause(err)})
		return
	}
	m.push(relay.DialSucceeded{ID: peerid.ID(p)})
}

// find runs one discovery for shard; on-demand requests report DiscoveryDone.
func (m *Manager) find(shard shardmesh.Shard, n int, onDemand bool) {
	err := m.cfg.discoverer.FindPeers(m.ctx, shard, n,
		func(d book.DiscoveredPeer, addrs []ma.Multiaddr) { m.AddPeer(d, addrs) })
	if err != nil && !errors.Is(err, context.Canceled) {
		m.log.Debug("discovery failed", "shard", shard, "err", err)
	}
	if onDemand && m.ctx.Err() == nil {
		m.push(relay.DiscoveryDone{Shard: shard})
	}
}
