package telemetry

import "encoding/json"

// The wire format. A report is one HTTP POST to <service>/record-metrics
// whose body is a JSON array of Items, the request format of Status's
// telemetry service (github.com/status-im/telemetry, pkg/types/types.go:
// TelemetryRequest and the record types below keep its JSON field names).
// Types Status already knows carry exactly its fields, so that an existing
// deployment stores them; the types named Wakupm* are this package's, each
// with a "version" field (SchemaVersion), and an existing deployment skips
// them (its server logs "Unknown telemetry type" and goes on). SCHEMA.md
// documents every field.

// Type is the telemetry_type of an item.
type Type string

// Status's types (status-im/telemetry pkg/types/types.go).
const (
	TypeProtocolStats     Type = "ProtocolStats"
	TypePeerCountByShard  Type = "PeerCountByShard"
	TypePeerCountByOrigin Type = "PeerCountByOrigin"
	TypeDialFailure       Type = "DialFailure"
)

// This package's types (SchemaVersion 1).
const (
	// TypeGossipBytes: gossipsub bytes by direction, message type and shard.
	TypeGossipBytes Type = "WakupmGossipBytes"
	// TypeProtocolBytes: libp2p stream bytes by protocol id and direction.
	TypeProtocolBytes Type = "WakupmProtocolBytes"
	// TypeDiscoveryBytes: discv5 UDP bytes and datagrams by direction.
	TypeDiscoveryBytes Type = "WakupmDiscoveryBytes"
	// TypeAppBytes: the application's own, non-Waku traffic by name.
	TypeAppBytes Type = "WakupmAppBytes"
	// TypeShardHealth: per shard mesh health, relay connections, peers
	// known, dials and dial failures.
	TypeShardHealth Type = "WakupmShardHealth"
	// TypeSlotOccupancy: reserved service slots in use, and connected peers
	// by class.
	TypeSlotOccupancy Type = "WakupmSlotOccupancy"
)

// SchemaVersion is the "version" of every Wakupm* item this package writes.
// A change that removes or renames a field, or changes a meaning, bumps it;
// adding a field does not.
const SchemaVersion = 1

// Types returns every type this package writes, Status's first.
func Types() []Type {
	return []Type{TypeProtocolStats, TypePeerCountByShard, TypePeerCountByOrigin, TypeDialFailure,
		TypeGossipBytes, TypeProtocolBytes, TypeDiscoveryBytes, TypeAppBytes, TypeShardHealth, TypeSlotOccupancy}
}

// Item is one element of a report: Status's TelemetryRequest.
type Item struct {
	// ID numbers the items of one request from 1; the service's per-item
	// errors name it.
	ID   int             `json:"id"`
	Type Type            `json:"telemetry_type"`
	Data json.RawMessage `json:"telemetry_data"`
}

// Record is who reports: Status's TelemetryRecord, embedded in every item
// except ProtocolStats (which has hostID instead).
type Record struct {
	// NodeName is what the operator chose to call the node (may be empty).
	NodeName string `json:"nodeName"`
	// PeerID is the hashed peer id (HashPeerID), never the peer id itself;
	// empty when the reporter was given none.
	PeerID string `json:"peerId"`
	// StatusVersion is the reporting software's version string.
	StatusVersion string `json:"statusVersion"`
	// DeviceType is a free label ("desktop", "simulation", ...).
	DeviceType string `json:"deviceType"`
}

// Metric is Status's per-protocol figure: totals since the node started and
// rates in bytes per second over the last interval.
type Metric struct {
	TotalIn  int64   `json:"totalIn"`
	TotalOut int64   `json:"totalOut"`
	RateIn   float64 `json:"rateIn"`
	RateOut  float64 `json:"rateOut"`
}

// ProtocolStats is Status's ProtocolStats.
type ProtocolStats struct {
	// PeerID is the hashed peer id, like Record.PeerID.
	PeerID          string `json:"hostID"`
	Relay           Metric `json:"relay"`
	Store           Metric `json:"store"`
	FilterPush      Metric `json:"filter-push"`
	FilterSubscribe Metric `json:"filter-subscribe"`
	Lightpush       Metric `json:"lightpush"`
}

// PeerCountByShard is Status's PeerCountByShard: connected relay peers on
// one shard (Status's format has no cluster; see WakupmShardHealth).
type PeerCountByShard struct {
	Record
	Count     int   `json:"count"`
	Shard     int   `json:"shard"`
	Timestamp int64 `json:"timestamp"`
}

// Origin is Status's peer origin enumeration (pkg/types Origin).
type Origin int64

// Status's origins.
const (
	OriginUnknown Origin = iota
	OriginDiscv5
	OriginStatic
	OriginPeerExchange
	OriginDNSDiscovery
	OriginRendezvous
	OriginPeerManager
)

// PeerCountByOrigin is Status's PeerCountByOrigin: connected peers by how
// they were found.
type PeerCountByOrigin struct {
	Record
	Count     int    `json:"count"`
	Origin    Origin `json:"origin"`
	Timestamp int64  `json:"timestamp"`
}

// DialErrorType is Status's dial error enumeration (pkg/types
// DialErrorType); only the values this package writes are named.
type DialErrorType int

// Status's dial error types written here.
const (
	DialErrorUnknown             DialErrorType = 0
	DialErrorIOTimeout           DialErrorType = 1
	DialErrorConnectionRefused   DialErrorType = 2
	DialErrorSecurityNegotiation DialErrorType = 5
	DialErrorDialBackoff         DialErrorType = 12
	// MaxDialErrorType is the last value of Status's enumeration.
	MaxDialErrorType DialErrorType = 12
)

// DialFailure is Status's DialFailure, one item per failure cause seen in
// the interval rather than one per failure: Count (a field Status's format
// lacks, which its server ignores) says how many.
type DialFailure struct {
	Record
	ErrorType DialErrorType `json:"errorType"`
	// ErrorMsg is the cause's label (relay.DialCause), not an error text:
	// dial errors name addresses.
	ErrorMsg  string `json:"errorMsg"`
	Protocols string `json:"protocols"`
	Timestamp int64  `json:"timestamp"`
	Count     uint64 `json:"count"`
}

// Header opens every Wakupm* item.
type Header struct {
	Record
	Version   int   `json:"version"`
	Timestamp int64 `json:"timestamp"`
	// IntervalSeconds is the time the deltas cover: since the previous
	// report, or since the reporter started for the first one.
	IntervalSeconds float64 `json:"intervalSeconds"`
}

// GossipBytes is a WakupmGossipBytes item.
type GossipBytes struct {
	Header
	Rows []GossipRow `json:"rows"`
}

// GossipRow is gossipsub bytes of one direction, message type and shard in
// the interval. Rows with nothing in the interval are left out.
type GossipRow struct {
	// Direction is "in", "out" or "dropped" (built but never sent).
	Direction string `json:"direction"`
	// MessageType is data, ihave, iwant, graft, prune, idontwant,
	// subscription or overhead.
	MessageType string `json:"messageType"`
	// Cluster and Shard are absent (null) for bytes that belong to no
	// shard.
	Cluster *int   `json:"cluster"`
	Shard   *int   `json:"shard"`
	Bytes   uint64 `json:"bytes"`
	Entries uint64 `json:"entries"`
}

// ProtocolBytes is a WakupmProtocolBytes item.
type ProtocolBytes struct {
	Header
	Rows []ProtocolRow `json:"rows"`
}

// ProtocolRow is the bytes of one libp2p protocol's streams in the interval.
type ProtocolRow struct {
	// Protocol is the libp2p protocol id ("" for bytes before negotiation).
	Protocol string `json:"protocol"`
	BytesIn  uint64 `json:"bytesIn"`
	BytesOut uint64 `json:"bytesOut"`
}

// DiscoveryBytes is a WakupmDiscoveryBytes item: discv5's UDP payload.
type DiscoveryBytes struct {
	Header
	BytesIn    uint64 `json:"bytesIn"`
	BytesOut   uint64 `json:"bytesOut"`
	PacketsIn  uint64 `json:"packetsIn"`
	PacketsOut uint64 `json:"packetsOut"`
}

// AppBytes is a WakupmAppBytes item.
type AppBytes struct {
	Header
	Rows []AppRow `json:"rows"`
}

// AppRow is the application's traffic under one name in the interval.
type AppRow struct {
	Name     string `json:"name"`
	BytesIn  uint64 `json:"bytesIn"`
	BytesOut uint64 `json:"bytesOut"`
}

// ShardHealth is a WakupmShardHealth item.
type ShardHealth struct {
	Header
	Rows []ShardRow `json:"rows"`
}

// ShardRow is one subscribed (or joined) shard at report time; Dials and
// DialFailures are counts in the interval.
type ShardRow struct {
	Cluster int `json:"cluster"`
	Shard   int `json:"shard"`
	// Health is "unhealthy", "minimally_healthy", "sufficiently_healthy" or
	// "" when the tracker has no figure for the shard.
	Health            string `json:"health"`
	MeshPeers         int    `json:"meshPeers"`
	OutboundMeshPeers int    `json:"outboundMeshPeers"`
	LowScoreMeshPeers int    `json:"lowScoreMeshPeers"`
	// Inbound and Outbound are connected relay peers advertising the shard;
	// Floor is the policy's minimum; Known counts relay peers in the book.
	Inbound      int    `json:"inbound"`
	Outbound     int    `json:"outbound"`
	Floor        int    `json:"floor"`
	Known        int    `json:"known"`
	Dials        uint64 `json:"dials"`
	DialFailures uint64 `json:"dialFailures"`
}

// SlotOccupancy is a WakupmSlotOccupancy item.
type SlotOccupancy struct {
	Header
	Services []ServiceSlots `json:"services"`
	// Peers counts connected peers by class: pending, relay, service,
	// outbound, closing.
	Peers map[string]int `json:"peers"`
}

// ServiceSlots is one service's reserved slots; Admitted and Rejected are
// counts in the interval.
type ServiceSlots struct {
	Service  string `json:"service"`
	Capacity int    `json:"capacity"`
	InUse    int    `json:"inUse"`
	Admitted uint64 `json:"admitted"`
	Rejected uint64 `json:"rejected"`
}
