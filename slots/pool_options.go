package slots

import (
	"errors"
	"fmt"
	"time"
)

// Pool defaults.
const (
	// DefaultTTL is how long a lease lives without activity: the filter
	// subscription timeout of nwaku (waku/waku_filter_v2/subscriptions.nim)
	// and go-waku (protocol/filter/common.go), 5 min. A filter ping or any
	// served request refreshes it.
	DefaultTTL = 5 * time.Minute
	// DefaultMaxPerPeer: one lease per peer and service.
	DefaultMaxPerPeer = 1
	// DefaultIPv4PrefixLen and DefaultIPv6PrefixLen group client addresses
	// for the per-prefix cap: a /24 is what one operator usually controls in
	// IPv4, a /64 is one IPv6 subnet (one host may hold all of it).
	DefaultIPv4PrefixLen = 24
	DefaultIPv6PrefixLen = 64
	// DefaultPrefixShare is the default per-prefix cap as a percentage of
	// the pool's capacity (at least one slot): one /24 or /64 can hold at
	// most a tenth of the pool.
	DefaultPrefixShare = 10
)

// ErrInvalidPool is wrapped by the errors NewPool returns for its own
// arguments (an unknown service, a capacity out of range); an invalid
// option is an *OptionError.
var ErrInvalidPool = errors.New("slots: invalid pool configuration")

// PoolOption configures NewPool; an invalid one makes NewPool return an
// *OptionError.
type PoolOption func(*poolConfig) error

type poolConfig struct {
	maxPerPeer   int
	maxPerPrefix int
	prefixSet    bool
	v4Bits       int
	v6Bits       int
	ttl          time.Duration
}

// WithMaxPerPeer caps the leases one peer may hold at once; 0 disables the
// cap. Default DefaultMaxPerPeer.
func WithMaxPerPeer(n int) PoolOption {
	return func(c *poolConfig) error {
		if n < 0 {
			return &OptionError{Option: "WithMaxPerPeer", Reason: fmt.Sprintf("negative per-peer cap %d; use 0 to disable it", n)}
		}
		c.maxPerPeer = n
		return nil
	}
}

// WithMaxPerPrefix caps the leases held by clients of one address prefix
// (see WithPrefixLengths); 0 disables the cap. Default: DefaultPrefixShare
// percent of the capacity, at least 1.
func WithMaxPerPrefix(n int) PoolOption {
	return func(c *poolConfig) error {
		if n < 0 {
			return &OptionError{Option: "WithMaxPerPrefix", Reason: fmt.Sprintf("negative per-prefix cap %d; use 0 to disable it", n)}
		}
		c.maxPerPrefix, c.prefixSet = n, true
		return nil
	}
}

// WithPrefixLengths sets the prefix lengths that group client addresses for
// the per-prefix cap. Use 32 and 128 for a per-address cap. Defaults /24 and
// /64.
func WithPrefixLengths(ipv4Bits, ipv6Bits int) PoolOption {
	return func(c *poolConfig) error {
		if !validPrefixLengths(ipv4Bits, ipv6Bits) {
			return &OptionError{Option: "WithPrefixLengths", Reason: prefixLengthsReason(ipv4Bits, ipv6Bits)}
		}
		c.v4Bits, c.v6Bits = ipv4Bits, ipv6Bits
		return nil
	}
}

// WithTTL sets how long a lease lives after its last activity. Default
// DefaultTTL.
func WithTTL(d time.Duration) PoolOption {
	return func(c *poolConfig) error {
		if d <= 0 {
			return &OptionError{Option: "WithTTL", Reason: fmt.Sprintf("lease TTL %v must be positive", d)}
		}
		c.ttl = d
		return nil
	}
}

func validPrefixLengths(ipv4Bits, ipv6Bits int) bool {
	return ipv4Bits >= 1 && ipv4Bits <= 32 && ipv6Bits >= 1 && ipv6Bits <= 128
}

func prefixLengthsReason(ipv4Bits, ipv6Bits int) string {
	return fmt.Sprintf("prefix lengths /%d and /%d out of range; IPv4 takes 1-32, IPv6 1-128", ipv4Bits, ipv6Bits)
}
