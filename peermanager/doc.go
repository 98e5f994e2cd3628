// Package peermanager decides whom a Waku node connects to, keeps and
// drops, shard by shard, on the peer book of package peermanager/book.
//
// It owns:
//   - the relay Core: a pure state machine (Step: an Event and now in,
//     Actions out; seeded randomness; no clock, no I/O, no goroutine) with
//     per-shard floors (Dlo connected relay peers, Dout of them outbound, on
//     every subscribed shard; a peer on several shards counts for each),
//     global targets from the slots budget, greedy dialling by coverage of
//     the shards under their floor, Lighthouse-style pruning that never
//     takes a shard under its floor, capped exponential backoff with jitter,
//     and de-duplicated on-demand discovery;
//   - presets reproducing nwaku's (NwakuPreset, NwakuShardedPreset) and
//     go-waku's (GoWakuPreset) relay policies in the same Core, for the
//     conformance suite (rfc/conformance) and the simulator;
//   - the Manager: the shell that wires a libp2p host, the shardmesh
//     Tracker (mesh health, joined shards), the metadata protocol and a
//     Discoverer to the Core, and carries out its actions (dials with a
//     timeout and bounded parallelism, disconnections, discovery,
//     connection-manager protection under its own tag);
//   - the service-peer Selector for light clients, on the same Book.
//
// It does not own the peer book (peermanager/book: records, indexes,
// metadata TTL, eviction), the wire protocols nor the discovery adapters
// (subpackages metadata, peerexchange, discovery), the mesh health itself
// (shardmesh.Tracker), the connection budget and its gater (package slots)
// or the Prometheus collectors (package metrics: PeerManagerCollector reads
// Manager.Snapshot). Peer addresses stay in the libp2p peerstore; the book
// keeps only what decisions need.
package peermanager
