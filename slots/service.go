package slots

import (
	"fmt"

	"github.com/wakupm/wakupm/protocols"
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
func (s Service) Protocols() []string {
	switch s {
	case Filter:
		return []string{protocols.FilterSubscribe}
	case LightPush:
		return []string{protocols.LightPush, protocols.LightPushLegacy}
	case Store:
		return []string{protocols.Store}
	case PeerExchange:
		return []string{protocols.PeerExchange}
	default:
		return nil
	}
}

// ServiceOf maps a stream protocol id to its Service. ok is false for relay
// and for protocols without reserved slots.
func ServiceOf(id string) (s Service, ok bool) {
	switch id {
	case protocols.FilterSubscribe:
		return Filter, true
	case protocols.LightPush, protocols.LightPushLegacy:
		return LightPush, true
	case protocols.Store:
		return Store, true
	case protocols.PeerExchange:
		return PeerExchange, true
	default:
		return 0, false
	}
}
