package telemetry

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
)

// Sources are where a report's figures come from: functions returning
// snapshots, each called once per report (never on a hot path). Every one
// is optional; a report leaves out the types whose source is nil. Each
// function is called from the reporter's goroutine and must be safe to call
// concurrently with the node (the snapshots named below are).
type Sources struct {
	// Relay is the relay peer manager's snapshot
	// (peermanager.Manager.Snapshot): PeerCountByShard, PeerCountByOrigin,
	// DialFailure and the relay half of WakupmShardHealth.
	Relay func() relay.Snapshot
	// Mesh is the tracker's per-shard mesh health (shardmesh.Tracker.Snapshot,
	// safe for concurrent use): the mesh half of WakupmShardHealth.
	Mesh func() []shardmesh.ShardHealth
	// Gossip is gossipsub's bytes by message type and shard
	// (metrics.BandwidthTracer.BandwidthSnapshot): WakupmGossipBytes.
	Gossip func() metrics.BandwidthSnapshot
	// Streams is libp2p's bytes by protocol
	// (metrics.BandwidthReporter.BandwidthSnapshot): ProtocolStats and
	// WakupmProtocolBytes.
	Streams func() metrics.BandwidthSnapshot
	// Discovery is discv5's UDP traffic: convert a
	// discovery.CountingConn's Traffic, whose fields are the same
	// (telemetry.UDPTraffic(conn.Traffic())).
	Discovery func() UDPTraffic
	// App is the application's own traffic (metrics.AppTraffic.Snapshot).
	App func() []metrics.AppBytes
	// Slots is the connection budget's state (slots/gater.Gater.Stats).
	Slots func() slots.Stats
}

// UDPTraffic is a datagram socket's counts; it has the fields of
// peermanager/discovery.UDPTraffic so that one converts to the other (this
// package does not import the discovery shell).
type UDPTraffic struct {
	BytesIn, BytesOut     uint64
	PacketsIn, PacketsOut uint64
}

// hashDomain separates this hash from any other use of the peer id.
const hashDomain = "wakupm-telemetry-peer-id/1:"

// HashPeerID returns what reports carry in place of a peer id: the first 16
// bytes of SHA-256 over a fixed domain string and the id's bytes, in hex.
// It lets a service tell one node's reports from another's without learning
// the id; it is not secret from someone who already knows the id and wants
// to find its reports. Empty for an empty id.
func HashPeerID(id string) string {
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(hashDomain + id))
	return hex.EncodeToString(sum[:16])
}
