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
	// DefaultColocationLimit caps inbound peers per IPv4 address and per
	// IPv6 /64: the IP colocation limit of nwaku (--ip-colocation-limit)
	// and go-waku (node/wakuoptions.go), 5. One host may hold a whole /64,
	// so an IPv6 address alone would let it take every inbound slot.
	DefaultColocationLimit = 5
	// DefaultColocationIPv4PrefixLen and DefaultColocationIPv6PrefixLen
	// group addresses for DefaultColocationLimit.
	DefaultColocationIPv4PrefixLen = 32
	DefaultColocationIPv6PrefixLen = 64
	// DefaultIPv6SiteLimit caps inbound peers per IPv6 /48 as well
	// (DefaultIPv6SitePrefixLen): a /48 is what one end site is usually
	// assigned (RFC 6177), so one operator with many /64s gets twice one
	// subnet's room, not all of it. Unless WithIPv6SiteLimit sets it, the
	// site cap is twice the per-prefix cap of WithColocation.
	DefaultIPv6SiteLimit     = 2 * DefaultColocationLimit
	DefaultIPv6SitePrefixLen = 48
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
	siteLimit      int // < 0: twice colocation
	siteBits       int
	relayProtocols []protocol.ID
	poolOptions    [slots.NumServices][]slots.PoolOption
	logger         *slog.Logger
	maxWaiting     int // < 0: DefaultWaitingShare of the reserved slots
	maxWait        time.Duration
}

func defaultConfig() config {
	return config{
		grace:          DefaultGrace,
		sweep:          DefaultSweepInterval,
		colocation:     DefaultColocationLimit,
		v4Bits:         DefaultColocationIPv4PrefixLen,
		v6Bits:         DefaultColocationIPv6PrefixLen,
		siteLimit:      -1,
		siteBits:       DefaultIPv6SitePrefixLen,
		maxWaiting:     -1,
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
// Default DefaultColocationLimit per IPv4 address and per IPv6 /64.
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

// WithIPv6SiteLimit caps the inbound IPv6 peers per prefixLen prefix too,
// a looser cap over a wider prefix than WithColocation's (0 disables);
// prefixLen may not be longer than WithColocation's IPv6 prefix. Default:
// twice the WithColocation cap per /48 (DefaultIPv6SiteLimit), none when
// WithColocation groups IPv6 by a prefix wider than /48.
func WithIPv6SiteLimit(maxPerSite, prefixLen int) Option {
	return func(c *config) error {
		if maxPerSite < 0 {
			return &OptionError{Option: "WithIPv6SiteLimit",
				Reason: fmt.Sprintf("negative site limit %d; use 0 to disable it", maxPerSite)}
		}
		if prefixLen < 1 || prefixLen > 128 {
			return &OptionError{Option: "WithIPv6SiteLimit",
				Reason: fmt.Sprintf("prefix length /%d out of range; IPv6 takes 1-128", prefixLen)}
		}
		c.siteLimit, c.siteBits = maxPerSite, prefixLen
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

// DefaultWaitingShare is the default bound on waiting light clients
// (WithWaiting) as a percentage of all reserved slots (at least 1 when any
// slot is reserved): peers that connect before they subscribe wait in a
// quarter of the room their leases will take.
const DefaultWaitingShare = 25

// WithWaiting bounds the inbound peers kept past the grace period because
// they have not asked for a service yet (SLOT-11): at most maxWaiting at
// once, each for at most maxWait after it connected (0: the pool TTL
// default, slots.DefaultTTL). maxWaiting 0 closes every pending peer at the
// end of its grace period. Default: DefaultWaitingShare percent of the
// reserved slots.
func WithWaiting(maxWaiting int, maxWait time.Duration) Option {
	return func(c *config) error {
		if maxWaiting < 0 || maxWait < 0 {
			return &OptionError{Option: "WithWaiting", Reason: fmt.Sprintf("negative bound %d or duration %v", maxWaiting, maxWait)}
		}
		c.maxWaiting, c.maxWait = maxWaiting, maxWait
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

// applyOptions returns the configuration opts give, checked as a whole.
func applyOptions(opts []Option) (config, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return config{}, err
		}
	}
	wide := cfg.colocation > 0 && cfg.siteBits > cfg.v6Bits // the colocation prefix is wider than a site
	if cfg.siteLimit < 0 {
		cfg.siteLimit = 2 * cfg.colocation
		if wide {
			cfg.siteLimit = 0
		}
	}
	if cfg.siteLimit > 0 && wide {
		return config{}, &OptionError{Option: "WithIPv6SiteLimit",
			Reason: fmt.Sprintf("site prefix /%d is narrower than the colocation prefix /%d; a site must hold whole prefixes", cfg.siteBits, cfg.v6Bits)}
	}
	return cfg, nil
}
