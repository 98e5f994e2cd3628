// Package service is the telemetry service of examples/telemetryd: it
// accepts the reports of metrics/telemetry (Status's /record-metrics
// format), validates every field, stores them in SQLite or PostgreSQL, and
// ranks the top bandwidth consumers by message type, shard, protocol and
// node over a time window, as JSON and as an HTML page. It does not collect
// anything itself and keeps no IP address: a client's address is held in
// memory only by the per-client rate limiter.
package service
