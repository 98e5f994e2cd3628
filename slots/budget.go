package slots

import (
	"errors"
	"fmt"
)

// Relay floors every Budget must keep (29/WAKU2-CONFIG gossipsub degrees, as
// in internal/wakugossip). A node with fewer relay connections than Dhi
// cannot fill a full mesh, and gossipsub keeps Dout outbound mesh peers
// against eclipse attacks (nwaku refuses a relay share below Dhi too:
// waku/node/peer_manager/peer_manager.nim, PeerManager.new).
const (
	MinRelayPeers    = 8 // gossipsub Dhi
	MinRelayOutbound = 2 // gossipsub Dout
)

// Budget splits a node's connection limit between relay peers and service
// clients. It is a plain value: build it with NewBudget or a preset, or fill
// it in and call Validate.
//
// Reserved slots are for inbound service clients only: relay peers never
// count against them, and outbound dials may use RelayOutbound plus Spare.
type Budget struct {
	// MaxConnections is the total number of connected peers.
	MaxConnections int
	// RelayInbound is the number of inbound relay peers kept.
	RelayInbound int
	// RelayOutbound is the number of outbound relay peers dialled.
	RelayOutbound int
	// Reserved holds the slots kept free for service clients, per protocol.
	Reserved Reserved
}

// Reserved is the number of slots kept for the clients of each service.
type Reserved struct {
	Filter       int
	LightPush    int
	Store        int
	PeerExchange int
}

// Of returns the slots reserved for s (0 for an unknown service).
func (r Reserved) Of(s Service) int {
	switch s {
	case Filter:
		return r.Filter
	case LightPush:
		return r.LightPush
	case Store:
		return r.Store
	case PeerExchange:
		return r.PeerExchange
	default:
		return 0
	}
}

// Total returns the reserved slots of every service together.
func (r Reserved) Total() int { return r.Filter + r.LightPush + r.Store + r.PeerExchange }

// Relay returns RelayInbound + RelayOutbound.
func (b Budget) Relay() int { return b.RelayInbound + b.RelayOutbound }

// Spare returns the connections assigned to nothing: MaxConnections minus the
// relay targets and the reserved slots. Outbound dials may use them.
func (b Budget) Spare() int { return b.MaxConnections - b.Relay() - b.Reserved.Total() }

// OutboundLimit is the number of outbound peers that still leaves room for
// the inbound relay target and every reserved slot.
func (b Budget) OutboundLimit() int { return b.RelayOutbound + b.Spare() }

// InboundLimit is the number of inbound peers: the inbound relay target plus
// every reserved slot.
func (b Budget) InboundLimit() int { return b.RelayInbound + b.Reserved.Total() }

// String renders the split on one line for logs and error messages.
func (b Budget) String() string {
	return fmt.Sprintf("max %d: relay in %d out %d, reserved filter %d lightpush %d store %d px %d, spare %d",
		b.MaxConnections, b.RelayInbound, b.RelayOutbound,
		b.Reserved.Filter, b.Reserved.LightPush, b.Reserved.Store, b.Reserved.PeerExchange, b.Spare())
}

// ErrInvalidBudget is wrapped by every *BudgetError.
var ErrInvalidBudget = errors.New("slots: invalid budget")

// BudgetError says why a Budget cannot work and what to change.
type BudgetError struct {
	Budget  Budget
	Problem string // what is wrong, with the numbers
	Fix     string // what the caller can change
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("slots: invalid budget (%s): %s; %s", e.Budget, e.Problem, e.Fix)
}

// Unwrap lets errors.Is(err, ErrInvalidBudget) match.
func (e *BudgetError) Unwrap() error { return ErrInvalidBudget }

// Validate reports the first reason b cannot work, as a *BudgetError, or nil.
func (b Budget) Validate() error {
	fail := func(problem, fix string, args ...any) error {
		return &BudgetError{Budget: b, Problem: problem, Fix: fmt.Sprintf(fix, args...)}
	}
	if b.MaxConnections <= 0 {
		return fail(fmt.Sprintf("MaxConnections %d is not positive", b.MaxConnections),
			"set MaxConnections to at least %d", MinRelayPeers)
	}
	r := b.Reserved
	if b.RelayInbound < 0 || b.RelayOutbound < 0 || r.Filter < 0 || r.LightPush < 0 || r.Store < 0 || r.PeerExchange < 0 {
		return fail("a target or a reserved count is negative", "use zero or a positive count")
	}
	if b.Spare() < 0 {
		need := b.Relay() + r.Total()
		return fail(fmt.Sprintf("relay targets (%d) plus reserved slots (%d) exceed MaxConnections", b.Relay(), r.Total()),
			"raise MaxConnections to at least %d or lower the targets or reserved slots by %d", need, need-b.MaxConnections)
	}
	if b.Relay() < MinRelayPeers {
		return fail(fmt.Sprintf("relay targets (%d) are below gossipsub Dhi (%d), so the mesh cannot fill", b.Relay(), MinRelayPeers),
			"raise RelayInbound+RelayOutbound by %d (raise MaxConnections or reserve fewer service slots)", MinRelayPeers-b.Relay())
	}
	if b.RelayOutbound < MinRelayOutbound {
		return fail(fmt.Sprintf("RelayOutbound %d is below gossipsub Dout (%d)", b.RelayOutbound, MinRelayOutbound),
			"set RelayOutbound to at least %d", MinRelayOutbound)
	}
	return nil
}
