package peermanager

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
)

// Discoverer finds peers for the Manager's on-demand discovery. FindPeers
// looks for up to n peers advertising shard, calls found for each (with
// the addresses to dial) and returns when the search ends or ctx is done.
// It must be safe for concurrent use. SourceDiscoverer adapts a
// peermanager/discovery Source.
type Discoverer interface {
	FindPeers(ctx context.Context, shard shardmesh.Shard, n int, found func(book.DiscoveredPeer, []ma.Multiaddr)) error
}

// Option configures a Manager.
type Option func(*config) error

// OptionError reports an invalid option of NewManager.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("peermanager: invalid option %s: %s", e.Option, e.Reason)
}

func optionError(name, format string, a ...any) error {
	return &OptionError{Option: name, Reason: fmt.Sprintf(format, a...)}
}

type config struct {
	relay       relay.Config
	clock       func() time.Time
	budget      *slots.Budget
	tracker     *shardmesh.Tracker
	meta        *metadata.Service
	noMeta      bool
	discoverer  Discoverer
	background  time.Duration
	backgroundN int
	static      []peer.AddrInfo
	logger      *slog.Logger
	protectTag  string
	bookOpts    []book.Option
	maxQueued   int
}

// WithConfig sets the relay core's configuration (default
// relay.DefaultConfig(); presets: relay.WakupmPreset, NwakuPreset,
// NwakuShardedPreset, GoWakuPreset). It is validated.
func WithConfig(cfg relay.Config) Option {
	return func(c *config) error {
		if err := cfg.Validate(); err != nil {
			return optionError("WithConfig", "%v", err)
		}
		c.relay = cfg
		return nil
	}
}

// WithClock sets where the Manager reads the time it steps the core with
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

// WithBudget takes the global relay targets and the dial headroom from the
// connection budget (RelayInbound, RelayOutbound, DialHeadroom), replacing
// the policy's; the outbound quota follows the outbound target. Give it the
// Budget the host's gater.Gater enforces: the gater then admits every dial
// the policy makes (see slots.Budget for who owns which limit).
func WithBudget(b slots.Budget) Option {
	return func(c *config) error {
		if err := b.Validate(); err != nil {
			return optionError("WithBudget", "%v", err)
		}
		c.budget = &b
		return nil
	}
}

// WithTracker feeds the tracker's per-shard health to the policy (floors
// rise while a shard's mesh is not sufficiently healthy) and subscribes or
// unsubscribes shards as gossipsub joins or leaves their topics. Install
// the tracker's RawTracer in gossipsub (shardmesh/gossipsub.NewTracer(t).Option()).
func WithTracker(t *shardmesh.Tracker) Option {
	return func(c *config) error {
		if t == nil {
			return optionError("WithTracker", "nil tracker")
		}
		c.tracker = t
		return nil
	}
}

// WithMetadataService uses s for metadata exchanges instead of a service
// of the Manager's own (the Manager neither starts nor closes s).
func WithMetadataService(s *metadata.Service) Option {
	return func(c *config) error {
		if s == nil {
			return optionError("WithMetadataService", "nil service")
		}
		c.meta = s
		return nil
	}
}

// WithoutMetadata neither serves nor requests metadata: peers' shards come
// from their ENRs only.
func WithoutMetadata() Option {
	return func(c *config) error {
		c.noMeta = true
		return nil
	}
}

// WithDiscoverer serves the policy's on-demand discovery requests.
func WithDiscoverer(d Discoverer) Option {
	return func(c *config) error {
		if d == nil {
			return optionError("WithDiscoverer", "nil discoverer")
		}
		c.discoverer = d
		return nil
	}
}

// WithBackgroundDiscovery also asks the discoverer for n peers on each
// subscribed shard every interval, as nwaku's and go-waku's continuous
// discv5 does (off by default: on-demand discovery covers shards below
// their floor).
func WithBackgroundDiscovery(interval time.Duration, n int) Option {
	return func(c *config) error {
		if interval <= 0 || n < 1 {
			return optionError("WithBackgroundDiscovery", "interval %v and n %d must be positive", interval, n)
		}
		c.background, c.backgroundN = interval, n
		return nil
	}
}

// WithStaticPeers adds peers to keep connected (never forgotten, never
// pruned; redialled after backoff by the wakupm policy).
func WithStaticPeers(peers ...peer.AddrInfo) Option {
	return func(c *config) error {
		for _, p := range peers {
			if p.ID == "" || len(p.Addrs) == 0 {
				return optionError("WithStaticPeers", "peer %q needs an id and an address", p.ID)
			}
		}
		c.static = append(c.static, peers...)
		return nil
	}
}

// WithLogger logs decisions and failures (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return optionError("WithLogger", "nil logger")
		}
		c.logger = l
		return nil
	}
}

// DefaultProtectTag is the connection-manager protection tag of the relay
// policy, apart from gossipsub's own "pubsub:<topic>" tags.
const DefaultProtectTag = "wakupm-relay-floor"

// WithProtectTag sets the connection-manager protection tag.
func WithProtectTag(tag string) Option {
	return func(c *config) error {
		if tag == "" {
			return optionError("WithProtectTag", "empty tag")
		}
		c.protectTag = tag
		return nil
	}
}

// WithBookOptions configures the peer book (capacity, tracked protocols).
func WithBookOptions(opts ...book.Option) Option {
	return func(c *config) error {
		c.bookOpts = append(c.bookOpts, opts...)
		return nil
	}
}

// WithEventQueueLimit bounds the entries of the event queue between host
// notifications and the Manager's loop (default DefaultMaxQueuedEntries).
// Beyond it, discovery, RTT, identify and metadata events about peers with
// nothing else pending are dropped and counted (Snapshot.EventsDropped);
// connection, dial, subscription and online events are never dropped.
func WithEventQueueLimit(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return optionError("WithEventQueueLimit", "limit %d, want >= 1", n)
		}
		c.maxQueued = n
		return nil
	}
}
