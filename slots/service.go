package slots

import (
	"fmt"

	"github.com/libp2p/go-libp2p/core/protocol"
)

// Waku protocol ids this package recognises (REFERENCE.md §1.7; rfc-index
// 12/WAKU2-FILTER, 19/WAKU2-LIGHTPUSH and standards/core/lightpush.md for v3,
// 13/WAKU2-STORE v3, 34/WAKU2-PEER-EXCHANGE, 11/WAKU2-RELAY). They are defined
// here rather than imported because slots sits below peermanager in the
// dependency order.
const (
	ProtocolFilterSubscribe protocol.ID = "/vac/waku/filter-subscribe/2.0.0-beta1"
	ProtocolLightPush       protocol.ID = "/vac/waku/lightpush/3.0.0"
	ProtocolLightPushLegacy protocol.ID = "/vac/waku/lightpush/2.0.0-beta1"
	ProtocolStore           protocol.ID = "/vac/waku/store-query/3.0.0"
	ProtocolPeerExchange    protocol.ID = "/vac/waku/peer-exchange/2.0.0-alpha1"
	ProtocolRelay           protocol.ID = "/vac/waku/relay/2.0.0"
)

// Service is a service protocol whose clients get reserved slots. Relay is
// not a Service: relay peers are budgeted by RelayInbound and RelayOutbound.
type Service uint8

// The services, in the order used by Reserved and by per-service arrays.
const (
	Filter Service = iota
	LightPush
	Store
	PeerExchange
)

// NumServices is the number of Service values; Service(i) for i < NumServices
// is valid.
const NumServices = 4

// Services returns every Service in order.
func Services() [NumServices]Service {
	return [NumServices]Service{Filter, LightPush, Store, PeerExchange}
}

// String returns the service's metric label: "filter", "lightpush", "store"
// or "peer_exchange".
func (s Service) String() string {
	switch s {
	case Filter:
		return "filter"
	case LightPush:
		return "lightpush"
	case Store:
		return "store"
	case PeerExchange:
		return "peer_exchange"
	default:
		return fmt.Sprintf("service(%d)", uint8(s))
	}
}

// Valid reports whether s is one of the defined services.
func (s Service) Valid() bool { return s < NumServices }

// Protocols returns the stream protocol ids served under s (light push
// accepts the v3 id and the legacy v2 id).
func (s Service) Protocols() []protocol.ID {
	switch s {
	case Filter:
		return []protocol.ID{ProtocolFilterSubscribe}
	case LightPush:
		return []protocol.ID{ProtocolLightPush, ProtocolLightPushLegacy}
	case Store:
		return []protocol.ID{ProtocolStore}
	case PeerExchange:
		return []protocol.ID{ProtocolPeerExchange}
	default:
		return nil
	}
}

// ServiceOf maps a stream protocol id to its Service. ok is false for relay
// and for protocols without reserved slots.
func ServiceOf(id protocol.ID) (s Service, ok bool) {
	switch id {
	case ProtocolFilterSubscribe:
		return Filter, true
	case ProtocolLightPush, ProtocolLightPushLegacy:
		return LightPush, true
	case ProtocolStore:
		return Store, true
	case ProtocolPeerExchange:
		return PeerExchange, true
	default:
		return 0, false
	}
}
