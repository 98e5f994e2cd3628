package gater

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/slots"
)

// Gater defaults.
const (
	// DefaultGrace is how long an inbound peer beyond the known relay peers
	// may stay connected without taking a lease or showing it is a relay
	// peer. A light client subscribes right after identify; 10 s is also
	// nwaku's dial timeout.
	DefaultGrace = 10 * time.Second
	// DefaultSweepInterval is how often Run expires leases and closes
	// peers whose grace period ended.
	DefaultSweepInterval = time.Second
	// DefaultColocationLimit caps inbound peers per IP address: the IP
	// colocation limit of nwaku (--ip-colocation-limit) and go-waku
	// (node/wakuoptions.go), 5.
	DefaultColocationLimit = 5
)

// OptionError reports an invalid option given to New: which option, and
// why.
type OptionError struct {
	Option string // the option's constructor, such as "WithGrace"
	Reason string // what is wrong and what to use instead
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("gater: invalid option %s: %s", e.Option, e.Reason)
}

// Option configures New; an invalid one makes New return an *OptionError.
type Option func(*config) error

type config struct {
	grace          time.Duration
	sweep          time.Duration
	colocation     int
	v4Bits, v6Bits int
	relayProtocols []protocol.ID
	poolOptions    [slots.NumServices][]slots.PoolOption
	logger         *slog.Logger
}

func defaultConfig() config {
	return config{
		grace:          DefaultGrace,
		sweep:          DefaultSweepInterval,
		colocation:     DefaultColocationLimit,
		v4Bits:         32,
		v6Bits:         128,
		relayProtocols: []protocol.ID{protocols.Relay},
		logger:         slog.New(slog.DiscardHandler),
	}
}

// WithGrace sets how long an inbound peer may stay connected without a
// lease before the gater closes it. Default DefaultGrace.
func WithGrace(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return &OptionError{Option: "WithGrace", Reason: fmt.Sprintf("grace period %v must be positive", d)}
		}
		c.grace = d
		return nil
	}
}

// WithSweepInterval sets how often Run expires leases and closes peers
// whose grace period ended. Default DefaultSweepInterval.
func WithSweepInterval(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return &OptionError{Option: "WithSweepInterval", Reason: fmt.Sprintf("sweep interval %v must be positive", d)}
		}
		c.sweep = d
		return nil
	}
}

// WithColocation caps the inbound peers per address prefix (0 disables) and
// sets the prefix lengths that group addresses (32 and 128: per address).
// Default DefaultColocationLimit per address.
func WithColocation(maxPerPrefix, ipv4Bits, ipv6Bits int) Option {
	return func(c *config) error {
		if maxPerPrefix < 0 {
			return &OptionError{Option: "WithColocation",
				Reason: fmt.Sprintf("negative colocation limit %d; use 0 to disable it", maxPerPrefix)}
		}
		if ipv4Bits < 1 || ipv4Bits > 32 || ipv6Bits < 1 || ipv6Bits > 128 {
			return &OptionError{Option: "WithColocation",
				Reason: fmt.Sprintf("prefix lengths /%d and /%d out of range; IPv4 takes 1-32, IPv6 1-128", ipv4Bits, ipv6Bits)}
		}
		c.colocation, c.v4Bits, c.v6Bits = maxPerPrefix, ipv4Bits, ipv6Bits
		return nil
	}
}

// WithRelayProtocols sets the protocol ids that mark a peer as a relay peer
// when identify lists one of them. Default protocols.Relay.
func WithRelayProtocols(ids ...protocol.ID) Option {
	return func(c *config) error {
		if len(ids) == 0 {
			return &OptionError{Option: "WithRelayProtocols", Reason: "no relay protocol; relay peers could never be recognised"}
		}
		c.relayProtocols = append([]protocol.ID(nil), ids...)
		return nil
	}
}

// WithPoolOptions passes options to the pool of service s (per-peer and
// per-prefix caps, TTL). The capacity always comes from the Budget.
func WithPoolOptions(s slots.Service, opts ...slots.PoolOption) Option {
	return func(c *config) error {
		if !s.Valid() {
			return &OptionError{Option: "WithPoolOptions", Reason: fmt.Sprintf("unknown service %d", s)}
		}
		c.poolOptions[s] = append(c.poolOptions[s], opts...)
		return nil
	}
}

// WithLogger sets the logger for refusals and closes (debug level).
// Default: discard.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return &OptionError{Option: "WithLogger", Reason: "nil logger"}
		}
		c.logger = l
		return nil
	}
}
