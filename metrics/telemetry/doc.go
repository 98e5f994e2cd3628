// Package telemetry is wakupm's opt-in self-report: a Reporter that, every
// interval, builds one report from the node's snapshots and POSTs it to a
// telemetry service, and the Builder and wire types behind it. It does not
// count anything itself (the metrics package, discovery.CountingConn and
// metrics.AppTraffic do) and does not store or serve reports (see
// examples/telemetryd).
//
// The format is the request format of Status's telemetry service
// (github.com/status-im/telemetry): POST /record-metrics with a JSON array
// of {"id", "telemetry_type", "telemetry_data"}. The types that service
// knows (ProtocolStats, PeerCountByShard, PeerCountByOrigin, DialFailure)
// carry its fields, so an existing deployment stores them; the Wakupm*
// types add what it lacks (gossipsub bytes by message type and shard,
// libp2p bytes by protocol, discovery bytes, the application's non-Waku
// bytes by name, mesh health per shard, slot occupancy), each with a
// schema version. SCHEMA.md in this directory documents every field and
// says exactly what a report contains.
//
// Privacy: a report never carries an IP address, a multiaddr, an ENR, a
// peer id of another node, a message, a topic name other than a shard
// number, or an error text; the node's own peer id is sent only hashed
// (HashPeerID), and only when the operator passes it (WithNode).
//
// Nothing is sent unless the application makes a Reporter (New). The
// Reporter never blocks the node: it reads snapshots from its own goroutine,
// keeps at most WithQueue unsent reports (dropping the oldest, counted in
// Stats.Dropped), retries with exponential backoff and jitter, and honours a
// 429's Retry-After.
package telemetry
