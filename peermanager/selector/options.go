package selector

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
)

// Option configures a Selector (New).
type Option func(*config) error

// OptionError reports an invalid option of New.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("selector: invalid option %s: %s", e.Option, e.Reason)
}

func optionError(name, format string, a ...any) error {
	return &OptionError{Option: name, Reason: fmt.Sprintf(format, a...)}
}

type config struct {
	selection  selection.Config
	host       host.Host
	clock      func() time.Time
	log        *slog.Logger
	buffer     int
	tick       time.Duration
	bookOpts   []book.Option
	keepalive  *KeepaliveConfig
	sharedBook *book.Book
	sharedLock sync.Locker
	poolWatch  func(peer.ID, bool)
	storeCycle *StoreCycleConfig
}

// Defaults of the Selector shell.
const (
	// DefaultNotificationBuffer is the capacity of the Notifications
	// channel; beyond it notifications are dropped (and counted), never
	// waited for.
	DefaultNotificationBuffer = 256
	// DefaultTick is how often the shell calls Tick when it owns a host.
	DefaultTick = 5 * time.Second
)

func defaultConfig() config {
	return config{
		selection: selection.DefaultConfig(),
		clock:     time.Now,
		log:       slog.New(slog.DiscardHandler),
		buffer:    DefaultNotificationBuffer,
		tick:      DefaultTick,
	}
}

// WithConfig sets the selection configuration (default
// selection.DefaultConfig(); presets: selection.WakupmPreset, JSWakuPreset,
// GoWakuPreset). It is validated.
func WithConfig(cfg selection.Config) Option {
	return func(c *config) error {
		if err := cfg.Validate(); err != nil {
			return optionError("WithConfig", "%v", err)
		}
		c.selection = cfg
		return nil
	}
}

// WithHost lets the selector follow the host's connections and identify
// results through its event bus (a goroutine owned by the Selector, stopped
// by Close). Without it the caller reports connections with PeerConnected,
// PeerDisconnected and PeerIdentified.
func WithHost(h host.Host) Option {
	return func(c *config) error {
		if h == nil {
			return optionError("WithHost", "nil host")
		}
		c.host = h
		return nil
	}
}

// WithClock sets where the Selector reads the time it passes to the core
// (default time.Now); a simulation or a test passes its own clock.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return optionError("WithClock", "nil clock")
		}
		c.clock = now
		return nil
	}
}

// WithLogger sets the logger of the selector and its keep-alive (default:
// discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return optionError("WithLogger", "nil logger")
		}
		c.log = l
		return nil
	}
}

// WithNotificationBuffer sets the capacity of the Notifications channel
// (default DefaultNotificationBuffer); 0 drops every notification (read
// state with Pool and Health instead).
func WithNotificationBuffer(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return optionError("WithNotificationBuffer", "negative buffer %d", n)
		}
		c.buffer = n
		return nil
	}
}

// WithTick sets how often the host-driven shell calls Tick (default
// DefaultTick).
func WithTick(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return optionError("WithTick", "tick %v, want > 0", d)
		}
		c.tick = d
		return nil
	}
}

// WithBookOptions configures the selector's own peer book (capacity,
// tracked protocols).
func WithBookOptions(opts ...book.Option) Option {
	return func(c *config) error {
		c.bookOpts = append(c.bookOpts, opts...)
		return nil
	}
}

// WithKeepalive makes the selector ping its pool members with libp2p ping
// (see KeepaliveConfig). It needs WithHost.
func WithKeepalive(k KeepaliveConfig) Option {
	return func(c *config) error {
		if err := k.validate(); err != nil {
			return optionError("WithKeepalive", "%v", err)
		}
		c.keepalive = &k
		return nil
	}
}

// WithSharedBook makes the selector read another shell's book under that
// shell's lock instead of owning one: a full node's relay Manager and its
// service-peer selector on one host share one book (peermanager
// Manager.NewSelector uses it). The owner writes every host event into
// the book and calls Selector.BookChanged, with mu held, for each peer it
// changed; the selector then follows no host events itself (WithHost only
// serves its pings: keep-alive, store cycle) and WithBookOptions is
// ignored. The book must track the configuration's protocols.
func WithSharedBook(b *book.Book, mu sync.Locker) Option {
	return func(c *config) error {
		if b == nil || mu == nil {
			return optionError("WithSharedBook", "nil book or lock")
		}
		c.sharedBook, c.sharedLock = b, mu
		return nil
	}
}

// WithPoolWatcher calls f, with the selector's lock held, when a peer
// joins its first pool (true) or leaves its last (false). f must not call
// the selector and must not block (Manager.NewSelector uses it to spare
// the selector's service peers from relay pruning).
func WithPoolWatcher(f func(id peer.ID, inPool bool)) Option {
	return func(c *config) error {
		if f == nil {
			return optionError("WithPoolWatcher", "nil function")
		}
		c.poolWatch = f
		return nil
	}
}
