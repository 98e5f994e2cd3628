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

// WithNetwork connects the tracer to the host's network (pass
// h.Network()). The tracer then
//   - records, when gossipsub opens a stream to a peer, whether we dialled
//     that peer (any outbound connection in n), with Tracker.SetDirection;
//   - forgets a peer (Tracker.PeerGone) when its last connection to n
//     closes. Gossipsub reports a peer gone only if it had opened a stream
//     to it, so a peer that refuses our stream but sends its own
//     announcements would otherwise stay in the Tracker until its cap.
//
// It registers a network.Notifiee on n; Tracer.Close removes it.
func WithNetwork(n network.Network) Option {
	return func(tr *Tracer) error {
		if n == nil {
			return &OptionError{Option: "WithNetwork", Reason: "nil network"}
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
