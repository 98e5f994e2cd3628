// Package peermanager owns the go-libp2p shell of Waku relay peer management
// (Manager, its options, the Discoverer adapter) and, for now, the light-client Selector.
//
// The Manager wires a libp2p host, the shardmesh Tracker (mesh health,
// joined shards), the metadata protocol and a Discoverer to a relay.Core:
// it turns host notifications into relay.Events, steps the core on one
// goroutine with the time of its clock (WithClock), and carries out the
// returned relay.Actions (dials with a timeout and bounded parallelism,
// disconnections, discovery, connection-manager protection under its own
// tag). The service-peer Selector for light clients (SelectorCore and its
// shell) lives here until it gets packages of its own.
//
// It does not own the decisions: the relay Core, its Config and presets
// are package peermanager/relay, the peer book package peermanager/book,
// both pure. Nor does it own the wire protocols or the discovery adapters
// (subpackages metadata, peerexchange, discovery), the mesh health itself
// (shardmesh.Tracker), the connection budget and its gater (package slots)
// or the Prometheus collectors (package metrics: PeerManagerCollector reads
// any source of relay.Snapshot, such as Manager.Snapshot). Peer addresses
// stay in the libp2p peerstore; the book keeps only what decisions need.
package peermanager
