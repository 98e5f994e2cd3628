package peermanager

import (
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
)

// onConnected runs on libp2p's notification goroutine: it only queues.
// The first connection to a peer makes a PeerConnected event and, unless
// metadata is off, a metadata request.
func (m *Manager) onConnected(nw network.Network, c network.Conn) {
	p := c.RemotePeer()
	if len(nw.ConnsToPeer(p)) != 1 {
		return
	}
	dir := book.Inbound
	if c.Stat().Direction == network.DirOutbound {
		dir = book.Outbound
	}
	var ip netip.Addr
	if a, err := manet.ToIP(c.RemoteMultiaddr()); err == nil {
		if addr, ok := netip.AddrFromSlice(a); ok {
			ip = addr.Unmap()
		}
	}
	m.push(relay.PeerConnected{ID: peerid.ID(p), Direction: dir, IP: ip})
	if m.meta != nil {
		m.spawn(func() { m.requestMetadata(p) })
	}
}

func (m *Manager) onDisconnected(nw network.Network, c network.Conn) {
	if nw.Connectedness(c.RemotePeer()) != network.Connected {
		m.push(relay.PeerDisconnected{ID: peerid.ID(c.RemotePeer())})
	}
}

// requestMetadata asks a newly connected peer for its cluster and shards,
// at most maxMetadataInFlight at a time, bounded by the service's timeout.
func (m *Manager) requestMetadata(p peer.ID) {
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
	if m.ctx.Err() != nil {
		return // our shutdown, not the peer's fault
	}
	if err != nil {
		m.log.Debug("metadata request failed", "peer", p, "err", err)
		m.push(relay.MetadataFailed{ID: peerid.ID(p)})
		return
	}
	m.pushMetadata(p, md)
}

// onMetadataRequest learns an inbound requester's metadata (it sends its
// own in the request), on the stream handler's goroutine: only queues.
func (m *Manager) onMetadataRequest(p peer.ID, md metadata.Metadata) { m.pushMetadata(p, md) }

func (m *Manager) pushMetadata(p peer.ID, md metadata.Metadata) {
	cluster, ok := md.ClusterID()
	if !ok {
		m.push(relay.MetadataFailed{ID: peerid.ID(p)})
		return
	}
	m.push(relay.MetadataReceived{ID: peerid.ID(p), Cluster: cluster, Shards: md.Shards})
}

// readIdentify turns identify results into PeerIdentified events.
func (m *Manager) readIdentify() {
	for {
		select {
		case <-m.ctx.Done():
			return
		case e, ok := <-m.idSub.Out():
			if !ok {
				return
			}
			if ev, ok := e.(event.EvtPeerIdentificationCompleted); ok {
				m.push(relay.PeerIdentified{ID: peerid.ID(ev.Peer), Protocols: protocolStrings(ev.Protocols)})
			}
		}
	}
}

// backgroundDiscovery asks for peers on every subscribed shard each
// interval.
func (m *Manager) backgroundDiscovery() {
	t := time.NewTicker(m.cfg.background)
	defer t.Stop()
	for {
		shards := m.localShards()
		// Stop between shards too: a discoverer that ignores ctx would
		// otherwise hold Close for one lookup per subscribed shard.
		for s, ok := shards.Next(0); ok && m.ctx.Err() == nil; s, ok = shards.Next(s + 1) {
			m.find(shardmesh.Shard{Cluster: m.cfg.relay.Cluster, Index: s}, m.cfg.backgroundN, false)
		}
		select {
		case <-m.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// announcePoll is how often the Manager hands the tracker's announcements
// to the core. A peer in no topic sends no hello at all (go-libp2p-pubsub
// writes no empty first RPC: comm.go, handleSendingMessages), so such a
// peer is found out only by time: when GossipsubTopicsCountAfter (500 ms
// in WakupmPreset) has passed without a word. The poll adds up to one
// period to that, for every round of such peers a short shard dials; at
// 250 ms a round fits between two gossipsub heartbeats (1 s). The core
// ignores sets that did not change, so a poll costs one map lookup per
// connected peer.
const announcePoll = 250 * time.Millisecond

// announceTopics steps the core with the shard topics each connected peer
// announced in gossipsub, as the tracker heard them, for peers heard from
// at all, when the policy reads them (Config.ReadsGossipsubTopics): every
// announcePoll and before each tick.
func (m *Manager) announceTopics() {
	if m.cfg.tracker == nil || !m.cfg.relay.ReadsGossipsubTopics() {
		return
	}
	for _, p := range m.host.Network().Peers() {
		if shards, heard := m.cfg.tracker.Announced(peerid.ID(p), m.cfg.relay.Cluster); heard {
			m.step(relay.TopicsAnnounced{ID: peerid.ID(p), Shards: shards})
		}
	}
}

// protocolStrings converts identify's protocol ids for the core.
func protocolStrings(ids []protocol.ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
