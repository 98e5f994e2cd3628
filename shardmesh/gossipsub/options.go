package gossipsub

import (
	"fmt"
	"log/slog"

	"github.com/libp2p/go-libp2p/core/network"
)

// OptionError reports an invalid option or constructor argument.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("gossipsub: invalid option %s: %s", e.Option, e.Reason)
}

// Option configures a Tracer (NewTracer).
type Option func(*Tracer) error

// WithDirections makes the tracer look up, when gossipsub opens a stream to a
// peer, whether we dialled that peer (any outbound connection in n), and
// record it with Tracker.SetDirection. Pass the host's Network().
func WithDirections(n network.Network) Option {
	return func(tr *Tracer) error {
		if n == nil {
			return &OptionError{Option: "WithDirections", Reason: "nil network"}
		}
		tr.network = n
		return nil
	}
}

// WithMaxSubscriptionsPerRPC bounds the subscriptions RecvRPC reads from
// one RPC (default DefaultMaxSubscriptionsPerRPC); the rest are counted in
// TracerStats.SkippedSubscriptions. n must be at least 1.
func WithMaxSubscriptionsPerRPC(n int) Option {
	return func(tr *Tracer) error {
		if n < 1 {
			return &OptionError{Option: "WithMaxSubscriptionsPerRPC", Reason: "must be at least 1"}
		}
		tr.maxSubs = n
		return nil
	}
}

// BusOption configures a BusEmitter (NewBusEmitter).
type BusOption func(*BusEmitter) error

// WithBusLogger receives the emitter's errors at debug level. Default: discard.
func WithBusLogger(l *slog.Logger) BusOption {
	return func(b *BusEmitter) error {
		if l == nil {
			return &OptionError{Option: "WithBusLogger", Reason: "nil logger"}
		}
		b.logger = l
		return nil
	}
}
