// Package selector owns the go-libp2p shell of light-client service-peer selection:
// the Selector (its own peer book, a selection.Core, a host follower, the keep-alive) and its options.
//
// A status-go-like light client embeds a Selector on its own, without the
// relay Manager: New(WithHost(h)) follows the host's connections and
// identify results through its event bus, WithKeepalive pings the pool
// members with libp2p ping, and the client adds discovered peers
// (AddPeer), asks for peers per (protocol, shard) (Select), reports how each
// use went (Report) and reads Notifications, a channel that never blocks
// the selector. Every method is safe for concurrent use; the Selector owns
// its goroutines (host loop, keep-alive) and Close stops them.
//
// It does not own the decisions: the Core, its Config, presets, Request,
// Outcome, Policy, Notification and light-client health are package
// peermanager/selection, which is pure; the peer book is peermanager/book.
// It imports neither the relay Manager (package peermanager) nor discovery,
// discv5 or Prometheus: metrics.SelectorCollector reads its Stats through
// a small interface. Peer addresses stay in the host's peerstore.
package selector
