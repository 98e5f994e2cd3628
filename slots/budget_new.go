package slots

import (
	"fmt"
)

// DefaultServiceShare is the percentage of MaxConnections that NewBudget
// reserves for service clients: nwaku's default relay:service ratio 60:40
// (peer_manager.nim, PeerManager.new), which nwaku computes but does not
// apply (waku/factory/builder.nim:205-212 passes a fixed "60:40"). Here it
// is applied.
const DefaultServiceShare = 40

// BudgetOption configures NewBudget; an invalid one makes NewBudget return
// an *OptionError.
type BudgetOption func(*budgetConfig) error

type budgetConfig struct {
	share       int
	shareSet    bool
	reserved    Reserved
	reservedSet bool
	outbound    int
	outboundSet bool
}

// WithServiceShare reserves percent of MaxConnections (rounded down) for
// service clients, split evenly between filter and light push (filter gets
// the odd slot). Default DefaultServiceShare. percent must be in [0, 100).
func WithServiceShare(percent int) BudgetOption {
	return func(c *budgetConfig) error {
		if percent < 0 || percent >= 100 {
			return &OptionError{Option: "WithServiceShare", Reason: fmt.Sprintf("service share %d%% is outside [0, 100); relay needs a share too", percent)}
		}
		if c.reservedSet {
			return &OptionError{Option: "WithServiceShare", Reason: "WithReserved is given too; use one of them"}
		}
		c.share, c.shareSet = percent, true
		return nil
	}
}

// WithReserved sets the reserved slots per service explicitly instead of a
// share; relay gets the rest of MaxConnections.
func WithReserved(r Reserved) BudgetOption {
	return func(c *budgetConfig) error {
		if r.Filter < 0 || r.LightPush < 0 || r.Store < 0 || r.PeerExchange < 0 {
			return &OptionError{Option: "WithReserved", Reason: fmt.Sprintf("negative reserved slots %+v; use zero or a positive count", r)}
		}
		if c.shareSet {
			return &OptionError{Option: "WithReserved", Reason: "WithServiceShare is given too; use one of them"}
		}
		c.reserved, c.reservedSet = r, true
		return nil
	}
}

// WithRelayOutbound sets the outbound relay target explicitly; the inbound
// target is the rest of the relay share. Default: a third of the relay share,
// rounded up.
func WithRelayOutbound(n int) BudgetOption {
	return func(c *budgetConfig) error {
		if n < 0 {
			return &OptionError{Option: "WithRelayOutbound", Reason: fmt.Sprintf("negative relay outbound target %d", n)}
		}
		c.outbound, c.outboundSet = n, true
		return nil
	}
}

// NewBudget derives a Budget from maxConns:
//
//	service  = maxConns × share / 100, rounded down (share 40 by default)
//	filter   = service / 2 rounded up, lightpush = the rest
//	relay    = maxConns − service
//	outbound = relay / 3 rounded up, inbound = the rest
//	headroom = DefaultDialHeadroom (10 % of relay, rounded up)
//
// With 50 connections that is relay 30 (in 20, out 10), 10 filter + 10
// light-push slots and a dial headroom of 3. The result is validated; a *BudgetError says what to
// change.
func NewBudget(maxConns int, opts ...BudgetOption) (Budget, error) {
	cfg := budgetConfig{share: DefaultServiceShare}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return Budget{}, err
		}
	}
	b := cfg.derive(maxConns)
	if err := b.Validate(); err != nil {
		return b, cfg.withFix(err, maxConns)
	}
	return b, nil
}

func (c budgetConfig) derive(maxConns int) Budget {
	b := Budget{MaxConnections: maxConns, DialHeadroom: DefaultDialHeadroom}
	if c.reservedSet {
		b.Reserved = c.reserved
	} else if maxConns > 0 {
		service := maxConns * c.share / 100
		b.Reserved.Filter = (service + 1) / 2
		b.Reserved.LightPush = service - b.Reserved.Filter
	}
	relay := max(maxConns-b.Reserved.Total(), 0)
	b.RelayOutbound = (relay + 2) / 3
	if c.outboundSet {
		b.RelayOutbound = c.outbound
	}
	b.RelayInbound = max(relay-b.RelayOutbound, 0)
	return b
}

// withFix replaces a validation error's generic fix with the smallest
// MaxConnections for which this configuration derives a valid budget, when
// there is one within reach.
func (c budgetConfig) withFix(err error, maxConns int) error {
	be, ok := err.(*BudgetError)
	if !ok {
		return err
	}
	for m := max(maxConns+1, 1); m <= max(maxConns, 0)+10_000; m++ {
		if c.derive(m).Validate() == nil {
			be.Fix = fmt.Sprintf("raise maxConns to at least %d, or lower the service share, the reserved slots or the outbound target", m)
			return be
		}
	}
	return be
}
