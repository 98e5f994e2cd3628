// Package shardmesh owns the identity of a Waku relay shard (Shard, ShardSet,
// pubsub and content topics, autosharding) and the per-shard gossipsub mesh
// health Tracker, as pure code: it imports only the standard library and
// package peerid, so that a node on any libp2p version can use it.
//
// It does not read or write ENRs (package shardmesh/enr), does not talk to
// go-libp2p-pubsub (package shardmesh/gossipsub feeds the Tracker from
// it), does not decide whom to connect to or prune (package peermanager),
// and does not export metrics (package metrics). Every function is safe to
// call with untrusted input; parsers return typed errors and never panic.
//
// # Shards and topics
//
// A Shard is a cluster and an index 0..1023; its static-sharding pubsub
// topic is /waku/2/rs/<cluster>/<index> (ParsePubsubTopic, PubsubTopic).
// ShardSet is a 1024-bit value set of the indexes of one cluster.
// AutoShard maps a content topic to its shard with the last 8 bytes of
// SHA-256(app ‖ version) modulo the shard count, generation 0 only.
// Capabilities is the flag byte of the "waku2" ENR entry (reading it from a
// record is in shardmesh/enr).
//
// # Mesh health
//
// Tracker is a pure state machine fed with gossipsub mesh events (Join,
// Leave, Graft, Prune, PeerGone, SetDirection, SetScore) and with the
// topics peers announce (HeardFrom, Announce). Peers are peerid.ID values: a
// shell converts libp2p's peer.ID with peerid.ID(p). For each joined shard
// it keeps the mesh peers, how many of them we dialled (gossipsub's Dout
// guard against eclipse), how many score below a threshold and do not count,
// and a Health level: Unhealthy with no counted mesh peer, MinimallyHealthy
// below Thresholds.Sufficient (default Dlo = 4), SufficientlyHealthy from
// there. NodeHealth summarises the joined shards (the weakest level and a
// count per level). Each event costs O(1) and, in steady state, no
// allocation; the Tracker reads no clock and starts no goroutine.
//
// A shell of a node's own libp2p makes these calls, in gossipsub's order:
// Join/Leave when we subscribe to or leave a shard topic, Graft/Prune when a
// peer enters or leaves our mesh, SetDirection and HeardFrom when our
// gossipsub stream to a peer opens, Announce for the subscriptions a peer
// sends, SetScore(s) for gossipsub peer scores, and PeerGone when that
// stream closes and when the peer's last connection closes. With
// go-libp2p-pubsub v0.19 package shardmesh/gossipsub makes them:
//
//	tracker, _ := shardmesh.NewTracker(shardmesh.WithCluster(cluster))
//	tracer, _ := gossipsub.NewTracer(tracker, gossipsub.WithNetwork(h.Network()))
//	ps, _ := pubsub.NewGossipSub(ctx, h, tracer.Option())
//
// Announcements are remote input: the Tracker keeps, per peer, only the
// shards of our cluster (WithCluster, else the cluster of the first shard
// joined) in a fixed-size ShardSet, so that what a peer announces costs
// constant time and memory. It holds at most WithMaxPeers peers outside
// the meshes.
//
// Queries: Health, ShardHealth, MeshPeers, InMesh, AppendPeerShards,
// Announced, Snapshot (all joined shards, for metrics and REST), NodeHealth,
// Stats.
//
// Changes: Subscribe returns a Subscription whose Ready channel is signalled
// without blocking and whose Next returns, per shard, the latest level not
// yet reported (coalesced, in order per shard, never the same twice in a row,
// bounded memory however slow the reader).
package shardmesh
