package slots

import (
	"errors"
	"fmt"
	"math"
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

// DefaultDialHeadroom is the fraction of the relay share that relay dials may
// add while a subscribed shard is below its floor: Lighthouse dials up to
// 1.1 × its target peer count (peer_manager/mod.rs, PEER_EXCESS_FACTOR).
const DefaultDialHeadroom = 0.1

// Budget splits a node's connection limit between relay peers and service
// clients. It is a plain value: build it with NewBudget or a preset, or fill
// it in and call Validate.
//
// Which component owns which limit, when a peermanager.Manager (WithBudget)
// and a Gater (package slots/gater, built on a Ledger) run on one host with
// the same Budget:
//
//   - The Budget owns the numbers: relay targets, reserved slots, headroom.
//   - The relay manager decides whom to dial and prune within them: it aims
//     at RelayInbound and RelayOutbound, may dial past RelayOutbound into
//     inbound room that inbound relay peers leave unused, and past Relay()
//     by Headroom() while a shard is below its floor, then prunes back.
//   - The Gater enforces the hard limits at connection level: inbound peers
//     within InboundLimit (relay peers never in reserved slots), and new
//     outbound peers only while outbound peers plus inbound relay peers are
//     below DialLimit, which is never less than what the relay manager may
//     dial. Reserved slots are for inbound service clients only.
type Budget struct {
	// MaxConnections is the total number of connected peers.
	MaxConnections int
	// RelayInbound is the number of inbound relay peers kept.
	RelayInbound int
	// RelayOutbound is the number of outbound relay peers dialled.
	RelayOutbound int
	// Reserved holds the slots kept free for service clients, per protocol.
	Reserved Reserved
	// DialHeadroom is the fraction of Relay() that relay dials may add while
	// a subscribed shard is below its floor (see Headroom), in [0, 1].
	// NewBudget sets DefaultDialHeadroom.
	DialHeadroom float64
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
// relay targets and the reserved slots. Outbound dials may use them (a
// node's own dials to service peers count as outbound peers too).
func (b Budget) Spare() int { return b.MaxConnections - b.Relay() - b.Reserved.Total() }

// Headroom returns how many connections relay dials may take above Relay()
// while a subscribed shard is below its floor: ⌈Relay() × DialHeadroom⌉.
func (b Budget) Headroom() int { return HeadroomOf(b.Relay(), b.DialHeadroom) }

// HeadroomOf returns ⌈n × fraction⌉ with fraction taken to four decimals, in
// integer arithmetic: the relay manager and the Gater, given the same
// fraction, then agree to the connection (in float64, 100 × 0.07 is
// 7.000000000000001 and would round up to 8). A negative result is 0.
func HeadroomOf(n int, fraction float64) int {
	bp := int(math.Round(fraction * 10_000))
	return max((n*bp+9_999)/10_000, 0)
}

// DialLimit bounds outbound peers plus inbound relay peers: the Gater refuses
// a new outbound peer once they reach it. It is Relay() + Spare() +
// Headroom(): outbound dials may use the relay share that inbound relay
// peers leave unused, the spare and the headroom, never the reserved slots.
// The relay manager dials at most Relay() + Headroom() relay peers, so the
// Gater never refuses one of its dials for want of room.
func (b Budget) DialLimit() int { return b.Relay() + b.Spare() + b.Headroom() }

// InboundLimit is the number of inbound peers: the inbound relay target plus
// every reserved slot.
func (b Budget) InboundLimit() int { return b.RelayInbound + b.Reserved.Total() }

// String renders the split on one line for logs and error messages.
func (b Budget) String() string {
	return fmt.Sprintf("max %d: relay in %d out %d, reserved filter %d lightpush %d store %d px %d, spare %d, headroom %d",
		b.MaxConnections, b.RelayInbound, b.RelayOutbound,
		b.Reserved.Filter, b.Reserved.LightPush, b.Reserved.Store, b.Reserved.PeerExchange, b.Spare(), b.Headroom())
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
	if !(b.DialHeadroom >= 0 && b.DialHeadroom <= 1) {
		return fail(fmt.Sprintf("DialHeadroom %v is outside [0, 1]", b.DialHeadroom),
			"use a fraction such as %v (10 %%), or 0 for none", DefaultDialHeadroom)
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
