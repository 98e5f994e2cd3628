// Package shardmesh owns the identity of a Waku relay shard and everything
// that encodes it on the wire: the static-sharding pubsub topic
// (/waku/2/rs/<cluster>/<shard>), the compact ShardSet, autosharding of
// content topics, and the ENR entries rs, rsv, waku2 and multiaddrs. It
// also owns the per-shard gossipsub mesh health Tracker.
//
// It does not decide whom to connect to or prune (package peermanager), does
// not budget connections (package slots) and does not export metrics
// (package metrics). Apart from the gossipsub tracer adapter and the
// event-bus emitter it has no libp2p I/O: every function here is pure and
// safe to call with untrusted input; decoders return typed errors and never
// panic.
//
// # Mesh health
//
// Tracker is a pure state machine fed with gossipsub mesh events (Join,
// Leave, Graft, Prune, PeerGone, SetDirection, SetScore). For each joined
// shard it keeps the mesh peers, how many of them we dialled (gossipsub's Dout
// guard against eclipse), how many score below a threshold and do not count,
// and a Health level: Unhealthy with no counted mesh peer,
// MinimallyHealthy below Thresholds.Sufficient (default Dlo = 4),
// SufficientlyHealthy from there. NodeHealth summarises the joined shards
// (the weakest level and a count per level). Each event costs O(1) and, in
// steady state, no allocation; the Tracker reads no clock and starts no
// goroutine.
//
// Wiring it to go-libp2p-pubsub (v0.19) takes a RawTracer:
//
//	tracker, _ := shardmesh.NewTracker()
//	tracer, _ := shardmesh.NewTracer(tracker, shardmesh.WithDirections(h.Network()))
//	ps, _ := pubsub.NewGossipSub(ctx, h, tracer.Option())
//
// Queries: Health, ShardHealth, MeshPeers, InMesh, AppendPeerShards,
// Snapshot (all joined shards, for metrics and REST), NodeHealth, Stats.
//
// Changes: Subscribe returns a Subscription whose Ready channel is signalled
// without blocking and whose Next returns, per shard, the latest level not
// yet reported (coalesced, in order per shard, never the same twice in a row,
// bounded memory however slow the reader). NewBusEmitter republishes the same
// stream as EvtShardHealthChanged on a libp2p event bus.
//
// # Wire formats
//
// The formats follow what nwaku and go-waku do where the specs
// (RELAY-SHARDING, WAKU2-ENR in waku-org/specs) are ambiguous:
//
//   - rsv puts shard s in value byte 2+s/8 under mask 1<<(s%8) (EncodeRSV
//     explains the disagreement with the spec text and with js-waku).
//   - SetRelayShards writes rs below 64 shards and rsv from 64 on, never
//     both; RelayShardsFromRecord reads rs when present and otherwise rsv.
//   - Decoders return indexes sorted and unique; DecodeRSSet and
//     DecodeRSVSet decode into a ShardSet without allocating.
//   - Every ENR reader returns *ENRError; errors.Is(err, ErrFieldAbsent)
//     tells a missing field from a malformed one.
//   - AutoShard uses the last 8 bytes of SHA-256(app ‖ version) modulo the
//     shard count, generation 0 only.
package shardmesh
