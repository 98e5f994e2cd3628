// Package book owns the peer book of a Waku node: one record per known peer
// (shards, capabilities, protocols, connection, dial failures, backoff, RTT),
// indexed by (protocol, shard) and connectedness, with metadata TTL and eviction.
//
// A record holds what is known of a peer: advertised shards and their
// source (ENR, metadata exchange, gossipsub announcements), ENR
// capabilities, the tracked protocols identify reported, origin, direction,
// connectedness, colocation IP, consecutive dial failures and backoff
// deadline, RTT and last-seen times. Reads of "relay peers connected on
// shard 5" or "dialable store peers on shard 5" are bucket reads (PeerSet),
// never scans. Above its capacity the book evicts the least useful
// disconnected records; metadata of disconnected peers expires after a TTL
// (66/WAKU2-METADATA).
//
// The package is pure: peers are peerid.ID, protocols plain strings, IPs
// netip.Addr; it reads no clock (callers pass now), does no I/O and starts
// no goroutine. It does not own any decision: the relay core
// (peermanager/relay) and the service-peer selector keep their per-peer
// state on their side, keyed by Peer.Slot and checked with Book.Holds.
// Peer addresses stay in the node's peerstore.
package book
