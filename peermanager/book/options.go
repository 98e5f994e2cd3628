package book

import (
	"fmt"
	"time"
)

// Option configures a Book.
type Option func(*config) error

type config struct {
	capacity int
	protos   []TrackedProtocol
	mdTTL    time.Duration
	v6Bits   int
}

// OptionError reports an invalid option.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("book: invalid option %s: %s", e.Option, e.Reason)
}

// WithCapacity sets how many records the book keeps (default
// DefaultCapacity). Connected peers are always recorded, so the book can
// exceed it while more peers than that are connected.
func WithCapacity(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return &OptionError{Option: "WithCapacity", Reason: fmt.Sprintf("capacity %d, want >= 1", n)}
		}
		c.capacity = n
		return nil
	}
}

// WithTrackedProtocols replaces the protocols the book indexes (default
// DefaultTrackedProtocols). At most MaxTrackedProtocols, each once, none
// empty.
func WithTrackedProtocols(list ...TrackedProtocol) Option {
	return func(c *config) error {
		if _, err := newProtocolTable(list); err != nil {
			return &OptionError{Option: "WithTrackedProtocols", Reason: err.Error()}
		}
		c.protos = append([]TrackedProtocol(nil), list...)
		return nil
	}
}

// WithMetadataTTL sets how long a peer's metadata (shards and cluster from a
// metadata exchange) stays valid after the exchange or, when later, after
// the peer's last connection closed (default DefaultMetadataTTL; 0 keeps it
// for ever). Metadata of a connected peer never expires: it came from the
// live connection. Expired metadata gives way to the peer's ENR shards and
// cluster, if any (see Book.ExpireMetadata).
func WithMetadataTTL(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return &OptionError{Option: "WithMetadataTTL", Reason: fmt.Sprintf("TTL %v, want >= 0 (0: never expires)", d)}
		}
		c.mdTTL = d
		return nil
	}
}

// WithColocationIPv6Bits groups IPv6 addresses by this prefix length in the
// colocation counts (ColocationGroup, ConnectedOnIP); 0 or 128 (the
// default) count per address. The relay core sets it from its Config.
func WithColocationIPv6Bits(bits int) Option {
	return func(c *config) error {
		if bits < 0 || bits > 128 {
			return &OptionError{Option: "WithColocationIPv6Bits", Reason: fmt.Sprintf("prefix length %d outside 0-128", bits)}
		}
		c.v6Bits = bits
		if bits == 128 {
			c.v6Bits = 0
		}
		return nil
	}
}
