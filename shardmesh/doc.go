// Package shardmesh owns the identity of a Waku relay shard and everything
// that encodes it on the wire: the static-sharding pubsub topic
// (/waku/2/rs/<cluster>/<shard>), the compact ShardSet, autosharding of
// content topics, and the ENR entries rs, rsv and waku2. It also owns the
// per-shard gossipsub mesh health Tracker.
//
// It does not decide whom to connect to or prune (package peermanager), does
// not budget connections (package slots) and does not export metrics
// (package metrics). Apart from the gossipsub tracer adapter it has no
// libp2p I/O: every function here is pure and safe to call with untrusted
// input; decoders return typed errors and never panic.
package shardmesh
