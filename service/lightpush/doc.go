// Package lightpush owns the libp2p shell of a light push server: v3
// (/waku/lightpush/3.0.0, waku-org/specs standards/core/lightpush.md) and
// the legacy v2 (/vac/waku/lightpush/2.0.0-beta1, rfc-index
// 19/WAKU2-LIGHTPUSH) that status-go-like clients still use.
//
// Every push takes (or renews) a lease of the light-push slot pool of a
// slots/gater.Gater before it is decoded; a refusal is answered with the
// pool's status (503 no slot, 429 over the client's own limit; v2 answers
// is_success false with the reason). An admitted message is checked against
// the node's Scope (a served shard: else 421), its size (413) and its
// encoding (400), then handed to the node's Relay: no relay peer on the
// shard is 505, a message the relay validator refuses (a protected shard's
// bad signature, for example) is 420.
//
// It does not relay itself: the node passes a Relay (PubSubRelay adapts a
// go-libp2p-pubsub node).
package lightpush
