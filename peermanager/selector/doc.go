// Package selector owns the go-libp2p shell of light-client service-peer selection:
// the Selector (a peer book, its own or a relay Manager's, a selection.Core, a host follower, the keep-alive, the store-node cycle) and its options.
//
// A status-go-like light client embeds a Selector on its own, without the
// relay Manager: New(WithHost(h)) follows the host's connections and
// identify results through its event bus, WithKeepalive pings the pool
// members with libp2p ping, WithStoreCycle pings the store candidates, and
// the client adds discovered peers (AddPeer, with their addresses; an ENR
// through package selector/enrpeer), asks for peers per (protocol, shard)
// (Select, SelectVersion for light push v2/v3, SelectWait and
// WaitStoreNode up to a context's deadline), reports how each use went
// (Report), says when it is offline (SetOnline, DisconnectAll), pins store
// nodes at runtime (Pin, PinFor) and reads Notifications, a channel that
// never blocks the selector. Every method is safe for concurrent use; the
// Selector owns its goroutines (host loop, keep-alive, store cycle) and
// Close stops them. A full node gets one over its relay Manager's book
// from Manager.NewSelector (WithSharedBook).
//
// It does not own the decisions: the Core, its Config, presets, Request,
// Outcome, Policy, Notification and light-client health are package
// peermanager/selection, which is pure; the peer book is peermanager/book.
// It imports neither the relay Manager (package peermanager) nor discovery,
// go-ethereum or Prometheus: metrics.SelectorCollector reads its Stats
// through a small interface. Peer addresses stay in the host's peerstore.
package selector
