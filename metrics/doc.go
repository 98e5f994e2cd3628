// Package metrics exports wakupm's state to Prometheus. Every collector is
// pull-based: it reads a snapshot of a source at scrape time, so nothing is
// counted, locked or allocated on the hot paths it observes.
//
// Collectors (register the ones your node has on your own registry; see
// the package example):
//   - TrackerCollector: per-shard gossipsub mesh health from a
//     shardmesh.Tracker (mesh peers, outbound mesh peers, low-score mesh
//     peers, health level), the node health summary, and the tracker's event
//     counters.
//   - SlotsCollector: reserved service slots per service (capacity, in use,
//     admissions, releases, expiries, rejections by reason), the connection
//     budget and connected peers by class, from slots.Stats (a slots/gater
//     Gater provides them).
//   - PeerManagerCollector: the relay peer management, from any RelaySource
//     (a relay.Snapshot: peermanager.Manager or relay.Core): connected relay
//     peers per shard and direction, floors, dials by outcome,
//     disconnections by reason, discovery requests, book size and the
//     Manager's event queue.
//   - SelectorCollector: a light client's service-peer selection from any
//     SelectorSource (a selection.Stats: peermanager/selector.Selector, or
//     a selection.Core under its owner's lock): selections, outcomes,
//     replacements, pool sizes and light-client health per shard.
//   - BandwidthCollector: bytes by gossipsub message type and shard, and by
//     libp2p protocol, from a BandwidthTracer (installed in gossipsub) and a
//     BandwidthReporter (libp2p.BandwidthReporter when building the host).
//   - NwakuCollector: nwaku's connection series under nwaku's names
//     (waku_connected_peers, waku_streams_peers, waku_peer_store_size,
//     waku_peers_dials, waku_node_conns_initiated) from the libp2p host and
//     the relay policy, for the dashboards operators already have.
//
// grafana/wakupm.json is a Grafana dashboard of these series;
// TestDashboardNamesExportedMetrics checks that each of its queries names
// a series a collector exports.
//
// Names: where nwaku (or the nim-libp2p it embeds) exports a series with the
// same meaning, the same name and labels are used so existing Waku dashboards
// work; everything else is prefixed wakupm_. Shards are labelled cluster and
// shard (decimal).
//
// The package does not register anything globally and does not serve HTTP:
// register the collectors on your own prometheus.Registerer.
package metrics
