package protocols

import "github.com/libp2p/go-libp2p/core/protocol"

// Waku protocol ids (REFERENCE.md §1.5–1.7; rfc-index and waku-org/specs).
const (
	// Relay is 11/WAKU2-RELAY: gossipsub v1.1 under the Waku id.
	Relay protocol.ID = "/vac/waku/relay/2.0.0"
	// Store is the store query protocol v3 (13/WAKU2-STORE).
	Store protocol.ID = "/vac/waku/store-query/3.0.0"
	// FilterSubscribe is the filter v2 client-to-server protocol
	// (12/WAKU2-FILTER); the server pushes on a protocol of its own.
	FilterSubscribe protocol.ID = "/vac/waku/filter-subscribe/2.0.0-beta1"
	// LightPush is light push v3 (waku-org/specs standards/core/lightpush.md).
	LightPush protocol.ID = "/vac/waku/lightpush/3.0.0"
	// LightPushLegacy is light push v2 (19/WAKU2-LIGHTPUSH), still served
	// next to v3 by nwaku.
	LightPushLegacy protocol.ID = "/vac/waku/lightpush/2.0.0-beta1"
	// PeerExchange is 34/WAKU2-PEER-EXCHANGE.
	PeerExchange protocol.ID = "/vac/waku/peer-exchange/2.0.0-alpha1"
	// Metadata is 66/WAKU2-METADATA (cluster and shards of a peer).
	Metadata protocol.ID = "/vac/waku/metadata/1.0.0"
)
