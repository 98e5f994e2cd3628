package slots

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/protocols"
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

// ErrInvalidGater is wrapped by every error NewGater and its options return.
var ErrInvalidGater = errors.New("slots: invalid gater configuration")

// GaterOption configures NewGater.
type GaterOption func(*gaterConfig) error

type gaterConfig struct {
	grace          time.Duration
	sweep          time.Duration
	colocation     int
	v4Bits, v6Bits int
	relayProtocols []protocol.ID
	poolOptions    [NumServices][]PoolOption
	logger         *slog.Logger
}

func defaultGaterConfig() gaterConfig {
	return gaterConfig{
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
func WithGrace(d time.Duration) GaterOption {
	return func(c *gaterConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: grace period %v must be positive", ErrInvalidGater, d)
		}
		c.grace = d
		return nil
	}
}

// WithSweepInterval sets how often Run expires leases and closes peers
// whose grace period ended. Default DefaultSweepInterval.
func WithSweepInterval(d time.Duration) GaterOption {
	return func(c *gaterConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: sweep interval %v must be positive", ErrInvalidGater, d)
		}
		c.sweep = d
		return nil
	}
}

// WithColocation caps the inbound peers per address prefix (0 disables) and
// sets the prefix lengths that group addresses (32 and 128: per address).
// Default DefaultColocationLimit per address.
func WithColocation(maxPerPrefix, ipv4Bits, ipv6Bits int) GaterOption {
	return func(c *gaterConfig) error {
		if maxPerPrefix < 0 {
			return fmt.Errorf("%w: negative colocation limit %d; use 0 to disable it", ErrInvalidGater, maxPerPrefix)
		}
		if ipv4Bits < 1 || ipv4Bits > 32 || ipv6Bits < 1 || ipv6Bits > 128 {
			return fmt.Errorf("%w: prefix lengths /%d and /%d out of range; IPv4 takes 1-32, IPv6 1-128",
				ErrInvalidGater, ipv4Bits, ipv6Bits)
		}
		c.colocation, c.v4Bits, c.v6Bits = maxPerPrefix, ipv4Bits, ipv6Bits
		return nil
	}
}

// WithRelayProtocols sets the protocol ids that mark a peer as a relay peer
// when identify lists one of them. Default protocols.Relay.
func WithRelayProtocols(ids ...protocol.ID) GaterOption {
	return func(c *gaterConfig) error {
		if len(ids) == 0 {
			return fmt.Errorf("%w: no relay protocol; relay peers could never be recognised", ErrInvalidGater)
		}
		c.relayProtocols = append([]protocol.ID(nil), ids...)
		return nil
	}
}

// WithPoolOptions passes options to the pool of service s (per-peer and
// per-prefix caps, TTL). The capacity always comes from the Budget.
func WithPoolOptions(s Service, opts ...PoolOption) GaterOption {
	return func(c *gaterConfig) error {
		if !s.Valid() {
			return fmt.Errorf("%w: unknown service %d", ErrInvalidGater, s)
		}
		c.poolOptions[s] = append(c.poolOptions[s], opts...)
		return nil
	}
}

// WithLogger sets the logger for refusals and closes (debug level).
// Default: discard.
func WithLogger(l *slog.Logger) GaterOption {
	return func(c *gaterConfig) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidGater)
		}
		c.logger = l
		return nil
	}
}
