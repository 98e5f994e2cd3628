package discovery

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/wakupm/wakupm/peermanager/peerexchange"
)

type config struct {
	maxSearches int
	timeout     time.Duration
	askPeers    int
	private     bool // keep loopback and private addresses of remote records
	logger      *slog.Logger
}

func applyOptions(opts []Option) (config, error) {
	cfg := config{
		maxSearches: DefaultMaxSearches,
		timeout:     DefaultSearchTimeout,
		askPeers:    peerexchange.DefaultServePeers,
		logger:      slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return config{}, err
		}
	}
	return cfg, nil
}

// OptionError reports an invalid option.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("discovery: invalid option %s: %s", e.Option, e.Reason)
}

// Option configures an adapter (PeerExchange, Discv5, Union).
type Option func(*config) error

// WithMaxSearches bounds the searches one adapter runs at once (default
// DefaultMaxSearches); Find returns ErrBusy beyond it.
func WithMaxSearches(n int) Option {
	return func(c *config) error {
		if n < 1 || n > 1024 {
			return &OptionError{Option: "WithMaxSearches", Reason: "must be within 1..1024"}
		}
		c.maxSearches = n
		return nil
	}
}

// WithSearchTimeout bounds one search (default DefaultSearchTimeout).
func WithSearchTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return &OptionError{Option: "WithSearchTimeout", Reason: "must be positive"}
		}
		c.timeout = d
		return nil
	}
}

// WithAskPeers sets how many records PeerExchange asks each responder for
// (default 60, what nwaku answers at most). The protocol carries no shard, so
// asking for more than N leaves room for the records the filter drops.
// PeerExchange only.
func WithAskPeers(n int) Option {
	return func(c *config) error {
		if n < 1 || n > peerexchange.MaxQueryPeers {
			return &OptionError{Option: "WithAskPeers", Reason: "must be within 1..256"}
		}
		c.askPeers = n
		return nil
	}
}

// WithPrivateAddresses keeps loopback and private addresses (10/8,
// 172.16/12, 192.168/16, 100.64/10, fc00::/7, localhost) in the records of
// remote sources, for a test network or a LAN deployment. By default they
// are dropped, as are unspecified, link-local and multicast addresses always
// (see addrfilter.go): a record relayed by a stranger must not make us dial
// into our own host or network.
func WithPrivateAddresses() Option {
	return func(c *config) error {
		c.private = true
		return nil
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return &OptionError{Option: "WithLogger", Reason: "nil logger"}
		}
		c.logger = l
		return nil
	}
}
