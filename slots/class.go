package slots

import "fmt"

// Direction says who opened a connection. A shell maps its network stack's
// direction to it (libp2p: network.DirInbound is Inbound, anything else
// Outbound).
type Direction uint8

// The directions.
const (
	// Outbound: we dialled the peer.
	Outbound Direction = iota + 1
	// Inbound: the peer dialled us.
	Inbound
)

// String returns "inbound" or "outbound".
func (d Direction) String() string {
	switch d {
	case Inbound:
		return "inbound"
	case Outbound:
		return "outbound"
	default:
		return fmt.Sprintf("direction(%d)", uint8(d))
	}
}

// Class is what a connected peer counts against in the Budget.
type Class uint8

// The classes of a connected peer.
const (
	// ClassPending: an inbound peer not yet known as a relay peer or a
	// service client. It must become one before its grace period ends.
	ClassPending Class = iota + 1
	// ClassRelay: an inbound relay peer, within RelayInbound.
	ClassRelay
	// ClassService: an inbound peer holding at least one lease.
	ClassService
	// ClassOutbound: a peer we dialled, within Budget.DialLimit.
	ClassOutbound
	// ClassClosing: a peer being closed (over the budget, or its grace
	// period ended). It counts against nothing.
	ClassClosing
)

// NumClasses bounds the Class values.
const NumClasses = 6

// String returns the class's label.
func (c Class) String() string {
	switch c {
	case ClassPending:
		return "pending"
	case ClassRelay:
		return "relay_inbound"
	case ClassService:
		return "service"
	case ClassOutbound:
		return "outbound"
	case ClassClosing:
		return "closing"
	default:
		return fmt.Sprintf("class(%d)", uint8(c))
	}
}

// Refusal says why the ledger refused or closed a connection.
type Refusal uint8

// The refusals. The zero Refusal means "allowed".
const (
	// RefusePrefix: the address prefix already has its cap of inbound peers.
	RefusePrefix Refusal = iota + 1
	// RefuseInboundFull: inbound peers fill RelayInbound plus every reserved
	// slot.
	RefuseInboundFull
	// RefuseOutboundFull: outbound peers and inbound relay peers fill
	// Budget.DialLimit.
	RefuseOutboundFull
	// RefuseRelayFull: a relay peer arrived beyond RelayInbound; relay peers
	// never take reserved slots.
	RefuseRelayFull
	// RefuseGraceExpired: an inbound peer took no lease and did not show it
	// is a relay peer within the grace period.
	RefuseGraceExpired
	// RefuseIdle: a service client's last lease ended and it took no new
	// one within the grace period.
	RefuseIdle
	// RefuseRecentlyClosed: a new connection of a peer being closed, or a
	// dial of a peer the ledger closed less than a grace period ago.
	// Gossipsub opens a stream to every new peer and would redial one we
	// just turned away, bringing it back as an outbound peer we did not
	// choose.
	RefuseRecentlyClosed
)

// NumRefusals bounds the Refusal values.
const NumRefusals = 8

// Refusals returns every Refusal in order.
func Refusals() []Refusal {
	return []Refusal{RefusePrefix, RefuseInboundFull, RefuseOutboundFull, RefuseRelayFull, RefuseGraceExpired, RefuseIdle,
		RefuseRecentlyClosed}
}

// String returns the refusal's metric label.
func (r Refusal) String() string {
	switch r {
	case RefusePrefix:
		return "prefix_limit"
	case RefuseInboundFull:
		return "inbound_full"
	case RefuseOutboundFull:
		return "outbound_full"
	case RefuseRelayFull:
		return "relay_full"
	case RefuseGraceExpired:
		return "grace_expired"
	case RefuseIdle:
		return "idle"
	case RefuseRecentlyClosed:
		return "recently_closed"
	default:
		return fmt.Sprintf("refusal(%d)", uint8(r))
	}
}
