package peermanager

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/host"

	"github.com/wakupm/wakupm/peermanager/book"
)

// SelectorOption configures a Selector.
type SelectorOption func(*selectorOptions) error

type selectorOptions struct {
	cfg      SelectorConfig
	host     host.Host
	clock    func() time.Time
	log      *slog.Logger
	buffer   int
	tick     time.Duration
	bookOpts []book.Option
}

// Defaults of the Selector shell.
const (
	// DefaultSelectorEventBuffer is the capacity of the events channel;
	// beyond it events are dropped (and counted), never waited for.
	DefaultSelectorEventBuffer = 256
	// DefaultSelectorTick is how often the shell expires cooldowns and
	// refills short pools when it owns a host.
	DefaultSelectorTick = 5 * time.Second
)

// ErrInvalidSelectorOption is wrapped by the errors of invalid options.
var ErrInvalidSelectorOption = errors.New("peermanager: invalid selector option")

func defaultSelectorOptions() selectorOptions {
	return selectorOptions{
		cfg:    DefaultSelectorConfig(),
		clock:  time.Now,
		log:    slog.New(slog.DiscardHandler),
		buffer: DefaultSelectorEventBuffer,
		tick:   DefaultSelectorTick,
	}
}

// WithSelectorConfig sets the selection policy (default
// DefaultSelectorConfig; see the presets). It is validated.
func WithSelectorConfig(cfg SelectorConfig) SelectorOption {
	return func(o *selectorOptions) error {
		if err := cfg.Validate(); err != nil {
			return err
		}
		o.cfg = cfg
		return nil
	}
}

// WithSelectorHost lets the selector follow the host's connections and
// identify results through its event bus (a goroutine owned by the
// Selector, stopped by Close). Without it the caller reports connections
// with PeerConnected, PeerDisconnected and PeerIdentified.
func WithSelectorHost(h host.Host) SelectorOption {
	return func(o *selectorOptions) error {
		if h == nil {
			return fmt.Errorf("%w: nil host", ErrInvalidSelectorOption)
		}
		o.host = h
		return nil
	}
}

// WithSelectorClock sets the clock (default time.Now).
func WithSelectorClock(now func() time.Time) SelectorOption {
	return func(o *selectorOptions) error {
		if now == nil {
			return fmt.Errorf("%w: nil clock", ErrInvalidSelectorOption)
		}
		o.clock = now
		return nil
	}
}

// WithSelectorLogger sets the logger (default: discard).
func WithSelectorLogger(l *slog.Logger) SelectorOption {
	return func(o *selectorOptions) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidSelectorOption)
		}
		o.log = l
		return nil
	}
}

// WithSelectorEventBuffer sets the capacity of the Events channel (default
// DefaultSelectorEventBuffer); 0 drops every event (read state with Pool
// and Health instead).
func WithSelectorEventBuffer(n int) SelectorOption {
	return func(o *selectorOptions) error {
		if n < 0 {
			return fmt.Errorf("%w: negative event buffer %d", ErrInvalidSelectorOption, n)
		}
		o.buffer = n
		return nil
	}
}

// WithSelectorTick sets how often the host-driven shell calls Tick
// (default DefaultSelectorTick).
func WithSelectorTick(d time.Duration) SelectorOption {
	return func(o *selectorOptions) error {
		if d <= 0 {
			return fmt.Errorf("%w: tick %v, want > 0", ErrInvalidSelectorOption, d)
		}
		o.tick = d
		return nil
	}
}

// WithSelectorBookOptions configures the selector's own peer book
// (capacity, tracked protocols).
func WithSelectorBookOptions(opts ...book.Option) SelectorOption {
	return func(o *selectorOptions) error {
		o.bookOpts = append(o.bookOpts, opts...)
		return nil
	}
}
