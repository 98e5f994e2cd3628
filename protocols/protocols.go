package protocols

// Waku protocol ids (rfc-index and waku-org/specs). They are untyped string
// constants: a libp2p shell uses them as protocol.ID, a pure core as string.
const (
	// Relay is 11/WAKU2-RELAY: gossipsub v1.1 under the Waku id.
	Relay = "/vac/waku/relay/2.0.0"
	// Store is the store query protocol v3 (13/WAKU2-STORE).
	Store = "/vac/waku/store-query/3.0.0"
	// FilterSubscribe is the filter v2 client-to-server protocol
	// (12/WAKU2-FILTER); the server pushes on a protocol of its own.
	FilterSubscribe = "/vac/waku/filter-subscribe/2.0.0-beta1"
	// FilterPush is the filter v2 server-to-client protocol: the server opens
	// a stream of it to the subscriber for each message it pushes.
	FilterPush = "/vac/waku/filter-push/2.0.0-beta1"
	// LightPush is light push v3 (waku-org/specs standards/core/lightpush.md).
	LightPush = "/vac/waku/lightpush/3.0.0"
	// LightPushLegacy is light push v2 (19/WAKU2-LIGHTPUSH), still served
	// next to v3 by nwaku.
	LightPushLegacy = "/vac/waku/lightpush/2.0.0-beta1"
	// PeerExchange is 34/WAKU2-PEER-EXCHANGE.
	PeerExchange = "/vac/waku/peer-exchange/2.0.0-alpha1"
	// Metadata is 66/WAKU2-METADATA (cluster and shards of a peer).
	Metadata = "/vac/waku/metadata/1.0.0"
)
