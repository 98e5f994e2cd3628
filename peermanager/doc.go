// Package peermanager decides whom a Waku relay node connects to, keeps and
// drops, shard by shard, and records what it knows about peers.
//
// It owns:
//   - the peer Book: one record per known peer (advertised shards and their
//     source, ENR capabilities, identified protocols, origin, direction,
//     connectedness, dial failures and backoff, RTT, last seen), indexed by
//     (protocol, shard) and connectedness so that no hot path scans it, with
//     a capacity and eviction of the least useful disconnected peers;
//   - the relay Core: a pure state machine (events and now in, actions out,
//     seeded randomness) holding the per-shard floors, dial choice by shard
//     coverage, Lighthouse-style pruning, backoff and on-demand discovery;
//   - presets reproducing nwaku's and go-waku's policies in the same Core;
//   - the Manager: the thin shell that wires a libp2p host, gossipsub and
//     discovery to the Core and carries out its actions.
//
// It does not own the wire protocols (metadata, peer exchange) nor the
// discovery adapters (subpackages metadata, peerexchange, discovery), the
// per-shard mesh health (shardmesh.Tracker), the connection budget (package
// slots) or the Prometheus collectors (package metrics). Peer addresses stay
// in the libp2p peerstore; the book keeps only what decisions need.
package peermanager
