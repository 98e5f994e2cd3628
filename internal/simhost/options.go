package simhost

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/marcopolo/simnet"
)

// Defaults of a simulated network.
const (
	// DefaultBandwidth is the uplink and downlink rate of every host, in bit/s.
	DefaultBandwidth = 100_000_000
	// DefaultLatency is the one-way latency added to every packet.
	DefaultLatency = 10 * time.Millisecond
	// DefaultPort is the UDP port hosts listen on when they have their own IP.
	DefaultPort = 8000
)

// Option configures a Network.
type Option func(*config) error

type config struct {
	link          simnet.NodeBiDiLinkSettings
	latencyFunc   func(*simnet.Packet) time.Duration
	address       func(i int) *net.UDPAddr
	seed          uint64
	pubsub        bool
	pubsubFor     func(i int) bool // nil: every host
	pubsubOptions func(n *Node) []pubsub.Option
	hostOptions   func(i int) []libp2p.Option
	identity      func(i int) (crypto.PrivKey, error) // nil: Ed25519 from seed
	logger        *slog.Logger
}

func defaultConfig() config {
	return config{
		link: simnet.NodeBiDiLinkSettings{
			Downlink: simnet.LinkSettings{BitsPerSecond: DefaultBandwidth},
			Uplink:   simnet.LinkSettings{BitsPerSecond: DefaultBandwidth},
		},
		latencyFunc: simnet.StaticLatency(DefaultLatency),
		address:     OwnIP,
		seed:        1,
		pubsub:      true,
		logger:      slog.New(slog.DiscardHandler),
	}
}

// ErrInvalidOption is wrapped by every error an Option returns.
var ErrInvalidOption = errors.New("simhost: invalid option")

// WithLink sets every host's uplink and downlink rate in bit/s.
func WithLink(uplinkBitsPerSecond, downlinkBitsPerSecond int) Option {
	return func(c *config) error {
		if uplinkBitsPerSecond <= 0 || downlinkBitsPerSecond <= 0 {
			return fmt.Errorf("%w: link rates must be positive, got up %d down %d",
				ErrInvalidOption, uplinkBitsPerSecond, downlinkBitsPerSecond)
		}
		c.link.Uplink.BitsPerSecond = uplinkBitsPerSecond
		c.link.Downlink.BitsPerSecond = downlinkBitsPerSecond
		return nil
	}
}

// WithLatency sets the one-way latency added to every packet.
func WithLatency(oneWay time.Duration) Option {
	return func(c *config) error {
		if oneWay < 0 {
			return fmt.Errorf("%w: negative latency %v", ErrInvalidOption, oneWay)
		}
		c.latencyFunc = simnet.StaticLatency(oneWay)
		return nil
	}
}

// WithLatencyFunc sets a per-packet latency, for example from a matrix keyed
// by source and destination address.
func WithLatencyFunc(f func(*simnet.Packet) time.Duration) Option {
	return func(c *config) error {
		if f == nil {
			return fmt.Errorf("%w: nil latency function", ErrInvalidOption)
		}
		c.latencyFunc = f
		return nil
	}
}

// WithAddresses sets the UDP address host i listens on. Addresses must be
// unique (IP and port); several hosts may share an IP. See OwnIP, SharedIP.
func WithAddresses(f func(i int) *net.UDPAddr) Option {
	return func(c *config) error {
		if f == nil {
			return fmt.Errorf("%w: nil address function", ErrInvalidOption)
		}
		c.address = f
		return nil
	}
}

// WithSeed derives every host identity from seed, so peer IDs are the same
// from run to run (gossipsub's own randomness still is not).
func WithSeed(seed uint64) Option {
	return func(c *config) error {
		c.seed = seed
		return nil
	}
}

// WithIdentity gives host i the private key f returns instead of an Ed25519
// key derived from the seed: for example a secp256k1 key that is also the
// node's discv5 identity, so that the peer id derived from its ENR is the
// host's.
func WithIdentity(f func(i int) (crypto.PrivKey, error)) Option {
	return func(c *config) error {
		if f == nil {
			return fmt.Errorf("%w: nil identity function", ErrInvalidOption)
		}
		c.identity = f
		return nil
	}
}

// WithPubsubOptions adds options to host i's GossipSub after the Waku relay
// options of wakugossip.Options (tracers, peer scoring, ...).
func WithPubsubOptions(f func(i int) []pubsub.Option) Option {
	return func(c *config) error {
		if f == nil {
			return fmt.Errorf("%w: nil pubsub options function", ErrInvalidOption)
		}
		c.pubsubOptions = func(n *Node) []pubsub.Option { return f(n.Index) }
		return nil
	}
}

// WithNodePubsubOptions is WithPubsubOptions for options that need the host,
// such as a tracer that looks up connection directions in n.Host.Network().
// n.PubSub is still nil when f runs.
func WithNodePubsubOptions(f func(n *Node) []pubsub.Option) Option {
	return func(c *config) error {
		if f == nil {
			return fmt.Errorf("%w: nil pubsub options function", ErrInvalidOption)
		}
		c.pubsubOptions = f
		return nil
	}
}

// WithoutPubsub builds bare hosts without GossipSub.
func WithoutPubsub() Option {
	return func(c *config) error {
		c.pubsub = false
		return nil
	}
}

// WithPubsubOnly runs GossipSub only on the hosts for which f returns true
// (light clients, for example, run none); the others are bare hosts.
func WithPubsubOnly(f func(i int) bool) Option {
	return func(c *config) error {
		if f == nil {
			return fmt.Errorf("%w: nil pubsub host filter", ErrInvalidOption)
		}
		c.pubsubFor = f
		return nil
	}
}

// WithHostOptions adds libp2p options to host i (connection gater,
// connection manager, ...). Do not pass transports or listen addresses.
func WithHostOptions(f func(i int) []libp2p.Option) Option {
	return func(c *config) error {
		if f == nil {
			return fmt.Errorf("%w: nil host options function", ErrInvalidOption)
		}
		c.hostOptions = f
		return nil
	}
}

// WithLogger receives the simulated network's packet-drop log lines.
// Default: discard.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidOption)
		}
		c.logger = l
		return nil
	}
}

// OwnIP gives host i its own public IPv4 address and DefaultPort.
func OwnIP(i int) *net.UDPAddr {
	return &net.UDPAddr{IP: simnet.IntToPublicIPv4(i), Port: DefaultPort}
}

// OwnSubnet gives host i its own public IPv4 address in a /24 of its own
// (1.0.i.1 for the first 255 hosts) and DefaultPort. Use it for discv5:
// go-ethereum's table admits at most 2 nodes of one /24 per bucket and 10
// per table (p2p/discover/table.go bucketIPLimit, tableIPLimit), so hosts
// numbered into one /24 by OwnIP would barely find each other.
func OwnSubnet(i int) *net.UDPAddr {
	return &net.UDPAddr{IP: simnet.IntToPublicIPv4(i * 256), Port: DefaultPort}
}

// SharedIP puts hosts behind IPs in groups of perIP: hosts 0..perIP-1 share
// the first IP on ports DefaultPort, DefaultPort+1, ..., the next perIP the
// second IP, and so on. perIP below 1 is treated as 1.
func SharedIP(perIP int) func(i int) *net.UDPAddr {
	perIP = max(perIP, 1)
	return func(i int) *net.UDPAddr {
		return &net.UDPAddr{IP: simnet.IntToPublicIPv4(i / perIP), Port: DefaultPort + i%perIP}
	}
}
