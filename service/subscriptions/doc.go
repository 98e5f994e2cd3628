// Package subscriptions owns the pure state of a filter v2 server: which
// peer subscribed to which (pubsub topic, content topic) criteria, under a
// per-peer cap, and who a relayed message goes to.
//
// It does not admit clients (the slots pools do: a peer's subscription
// lives as long as its filter lease), speak the wire protocol, or push
// anything: package service/filter is the libp2p shell around it. Like the
// other pure cores it imports only the standard library and pure wakupm
// packages, reads no clock and starts no goroutine.
package subscriptions
