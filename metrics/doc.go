// Package metrics exports wakupm's state to Prometheus. Every collector is
// pull-based: it reads a snapshot of a source at scrape time, so nothing is
// counted, locked or allocated on the hot paths it observes.
//
// Collectors:
//   - TrackerCollector: per-shard gossipsub mesh health from a
//     shardmesh.Tracker (mesh peers, outbound mesh peers, low-score mesh
//     peers, health level), the node health summary, and the tracker's event
//     counters.
//   - BandwidthCollector: bytes by gossipsub message type and shard, and by
//     libp2p protocol (BandwidthTracer, BandwidthReporter).
//
// Names: where nwaku (or the nim-libp2p it embeds) exports a series with the
// same meaning, the same name and labels are used so existing Waku dashboards
// work; everything else is prefixed wakupm_. Shards are labelled cluster and
// shard (decimal).
//
// The package does not register anything globally and does not serve HTTP:
// register the collectors on your own prometheus.Registerer.
package metrics
