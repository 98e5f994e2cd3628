package main

import (
	"sync/atomic"

	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// connLimit is the scenario's -max-conns as a hard limit, the same for
// every policy, as nim-libp2p's maxConnections is for nwaku: a node with
// max connections open neither accepts nor dials another one. A policy
// still decides whom to keep under that limit; without it a policy with no
// global cap (go-waku dials per shard) would connect to nearly everyone.
// The count is kept from the host's connection notifications, so a burst of
// simultaneous handshakes can overshoot by a few.
type connLimit struct {
	max  int64
	open atomic.Int64
}

var _ connmgr.ConnectionGater = (*connLimit)(nil)

func newConnLimit(max int) *connLimit { return &connLimit{max: int64(max)} }

func (l *connLimit) full() bool { return l.open.Load() >= l.max }

// notifiee keeps the count of open connections.
func (l *connLimit) notifiee() network.Notifiee {
	return &network.NotifyBundle{
		ConnectedF:    func(network.Network, network.Conn) { l.open.Add(1) },
		DisconnectedF: func(network.Network, network.Conn) { l.open.Add(-1) },
	}
}

// InterceptPeerDial refuses to dial while the node is full.
func (l *connLimit) InterceptPeerDial(peer.ID) bool { return !l.full() }

// InterceptAddrDial allows every address.
func (l *connLimit) InterceptAddrDial(peer.ID, ma.Multiaddr) bool { return true }

// InterceptAccept refuses inbound connections while the node is full,
// before the handshake.
func (l *connLimit) InterceptAccept(network.ConnMultiaddrs) bool { return !l.full() }

// InterceptSecured allows every secured connection.
func (l *connLimit) InterceptSecured(network.Direction, peer.ID, network.ConnMultiaddrs) bool {
	return true
}

// InterceptUpgraded allows every upgraded connection.
func (l *connLimit) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }
