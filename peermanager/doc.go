// Package peermanager owns the go-libp2p shell of Waku relay peer management:
// the Manager, its options and the Discoverer adapter.
//
// The Manager wires a libp2p host, the shardmesh Tracker (mesh health,
// joined shards), the metadata protocol and a Discoverer to a relay.Core:
// it turns host notifications into relay.Events, steps the core on one
// goroutine with the time of its clock (WithClock), and carries out the
// returned relay.Actions (dials with a timeout and bounded parallelism,
// disconnections, discovery, connection-manager protection under its own
// tag).
//
// It does not own the decisions: the relay Core, its Config and presets
// are package peermanager/relay, the peer book package peermanager/book,
// both pure. Nor does it own the wire protocols or the discovery adapters
// (subpackages metadata, peerexchange, discovery), the mesh health itself
// (shardmesh.Tracker), the connection budget and its gater (package slots)
// or the Prometheus collectors (package metrics: PeerManagerCollector reads
// any source of relay.Snapshot, such as Manager.Snapshot). The service-peer
// selector of light clients is packages peermanager/selection (pure) and
// peermanager/selector (its shell), which do not import this one; a full
// node that also uses service peers runs a selector next to the Manager and
// tells it which peers it uses (SetServicePeer), so that relay pruning
// spares them. Peer addresses stay in the libp2p peerstore; the book keeps
// only what decisions need.
package peermanager
