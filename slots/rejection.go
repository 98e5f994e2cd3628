package slots

import (
	"errors"
	"fmt"

	"github.com/wakupm/wakupm/peerid"
)

// Status codes a server answers a refused client with. The filter v2 and
// light push v3 protocols share them (rfc-index 12/WAKU2-FILTER; nwaku
// waku/waku_lightpush/common.nim: SERVICE_NOT_AVAILABLE 503,
// TOO_MANY_REQUESTS 429).
const (
	StatusTooManyRequests    uint32 = 429
	StatusServiceUnavailable uint32 = 503
)

// Reason says why Admit refused a client.
type Reason uint8

// The reasons. The zero Reason is not used.
const (
	// ReasonNoSlot: every slot of the pool is leased. Status 503: the client
	// should try another server.
	ReasonNoSlot Reason = iota + 1
	// ReasonPeerLimit: this peer already holds its cap of leases. Status 429.
	ReasonPeerLimit
	// ReasonPrefixLimit: the client's /24 (IPv4) or /64 (IPv6) already holds
	// its cap of leases. Status 429: the client is rate-limited, not the
	// server full.
	ReasonPrefixLimit
	// ReasonRelayPeer: relay peers are budgeted apart and never take reserved
	// slots. Status 503.
	ReasonRelayPeer
)

// NumReasons bounds the Reason values: every Reason r has r < NumReasons.
const NumReasons = 5

// Reasons returns every Reason in order.
func Reasons() []Reason {
	return []Reason{ReasonNoSlot, ReasonPeerLimit, ReasonPrefixLimit, ReasonRelayPeer}
}

// String returns the reason's metric label.
func (r Reason) String() string {
	switch r {
	case ReasonNoSlot:
		return "no_slot"
	case ReasonPeerLimit:
		return "peer_limit"
	case ReasonPrefixLimit:
		return "prefix_limit"
	case ReasonRelayPeer:
		return "relay_peer"
	default:
		return fmt.Sprintf("reason(%d)", uint8(r))
	}
}

// StatusCode maps the reason to the filter / light push status code: 503 when
// the server has no slot for the client, 429 when the client is over its own
// (peer or prefix) limit.
func (r Reason) StatusCode() uint32 {
	switch r {
	case ReasonPeerLimit, ReasonPrefixLimit:
		return StatusTooManyRequests
	default:
		return StatusServiceUnavailable
	}
}

// ErrRejected is matched by every *Rejection: errors.Is(err, ErrRejected).
var ErrRejected = errors.New("slots: admission rejected")

// Rejection is the error Admit returns when it refuses a client. Servers
// answer with StatusCode and the client should try another server.
type Rejection struct {
	Service Service
	Reason  Reason
	Peer    peerid.ID
	// Limit is the cap that was reached (pool capacity, per-peer or
	// per-prefix cap); 0 for ReasonRelayPeer.
	Limit int
}

func (r *Rejection) Error() string {
	return fmt.Sprintf("slots: %s refused peer %s: %s (limit %d, status %d)",
		r.Service, r.Peer, r.Reason, r.Limit, r.Reason.StatusCode())
}

// StatusCode is r.Reason.StatusCode().
func (r *Rejection) StatusCode() uint32 { return r.Reason.StatusCode() }

// Is makes errors.Is(err, ErrRejected) true for every Rejection.
func (r *Rejection) Is(target error) bool { return target == ErrRejected }

// ErrLeaseGone is returned by Refresh for a lease that expired or was
// released; a filter server answers such a ping with 404.
var ErrLeaseGone = errors.New("slots: lease expired or released")
