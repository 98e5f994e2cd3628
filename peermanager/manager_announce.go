package peermanager

import (
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/wakupm/wakupm/protocols"
)

// announceDelay gathers a burst of subscription changes (a node joining
// several shards at start) into one metadata round.
const announceDelay = time.Second

// shardsChanged tells connected peers our new shards: after announceDelay,
// the Manager sends a metadata request to every connected peer that speaks
// metadata. The request carries our shards, so the peer learns them, and
// the answer refreshes theirs. Without it, peers connected before a
// subscription would go on believing our shards from the first exchange
// (and we theirs), which is only made on the first connection.
func (m *Manager) shardsChanged() {
	m.spawnMu.Lock()
	running := m.started && !m.stopped
	m.spawnMu.Unlock()
	if m.meta == nil || !running {
		return // before Start, the exchange on connection suffices
	}
	m.announceMu.Lock()
	defer m.announceMu.Unlock()
	if m.announcePending {
		return
	}
	m.announcePending = true
	m.spawn(m.announce)
}

func (m *Manager) announce() {
	t := time.NewTimer(announceDelay)
	defer t.Stop()
	select {
	case <-m.ctx.Done():
		return
	case <-t.C:
	}
	m.announceMu.Lock()
	m.announcePending = false // changes from now on start a new round
	m.announceMu.Unlock()
	for _, p := range m.host.Network().Peers() {
		if ids, err := m.host.Peerstore().SupportsProtocols(p, protocols.Metadata); err != nil || len(ids) == 0 {
			continue
		}
		m.spawn(func() { m.refreshMetadata(p) })
	}
}

// refreshMetadata re-exchanges metadata with a connected peer. Unlike the
// first exchange, a failure says nothing new about the peer (it answered
// on connection) and only gets logged.
func (m *Manager) refreshMetadata(p peer.ID) {
	select {
	case m.metaSlots <- struct{}{}:
	case <-m.ctx.Done():
		return
	}
	defer func() { <-m.metaSlots }()
	if m.host.Network().Connectedness(p) != network.Connected {
		return
	}
	md, err := m.meta.Request(m.ctx, p)
	if err != nil {
		if m.ctx.Err() == nil {
			m.log.Debug("metadata refresh failed", "peer", p, "err", err)
		}
		return
	}
	m.pushMetadata(p, md)
}
