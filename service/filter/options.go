package filter

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/wakupm/wakupm/service"
)

// Defaults.
const (
	// DefaultQueueLen is how many pushes wait for one subscriber before new
	// ones are dropped.
	DefaultQueueLen = 64
	// DefaultPushTimeout bounds opening a push stream and writing one push.
	DefaultPushTimeout = 5 * time.Second
	// DefaultRequestTimeout bounds reading a request and writing its answer.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultSweepInterval is how often Run drops subscriptions whose lease
	// ended.
	DefaultSweepInterval = time.Second
)

// OptionError reports an invalid option.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("filter: invalid option %s: %s", e.Option, e.Reason)
}

// Option configures New.
type Option func(*config) error

type config struct {
	scope          service.Scope
	queueLen       int
	pushTimeout    time.Duration
	requestTimeout time.Duration
	sweep          time.Duration
	maxCriteria    int
	log            *slog.Logger
}

func defaultConfig() config {
	return config{queueLen: DefaultQueueLen, pushTimeout: DefaultPushTimeout, requestTimeout: DefaultRequestTimeout,
		sweep: DefaultSweepInterval, log: slog.New(slog.DiscardHandler)}
}

// WithQueueLen sets the per-subscriber push queue length.
func WithQueueLen(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return &OptionError{"WithQueueLen", fmt.Sprintf("queue length %d must be at least 1", n)}
		}
		c.queueLen = n
		return nil
	}
}

// WithPushTimeout bounds one push (stream open and write).
func WithPushTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return &OptionError{"WithPushTimeout", fmt.Sprintf("timeout %v must be positive", d)}
		}
		c.pushTimeout = d
		return nil
	}
}

// WithSweepInterval sets how often Run drops subscriptions whose lease ended.
func WithSweepInterval(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return &OptionError{"WithSweepInterval", fmt.Sprintf("interval %v must be positive", d)}
		}
		c.sweep = d
		return nil
	}
}

// WithMaxCriteriaPerPeer caps the criteria one peer holds (default
// subscriptions.DefaultMaxCriteriaPerPeer); over it a subscribe gets 429.
func WithMaxCriteriaPerPeer(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return &OptionError{"WithMaxCriteriaPerPeer", fmt.Sprintf("cap %d must be at least 1", n)}
		}
		c.maxCriteria = n
		return nil
	}
}

// WithLogger sets the logger (debug level for refusals).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return &OptionError{"WithLogger", "nil logger"}
		}
		c.log = l
		return nil
	}
}
