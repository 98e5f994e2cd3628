package peerexchange

import (
	"log/slog"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enr"

	"github.com/wakupm/wakupm/protocols"
)

// ProtocolID is the libp2p protocol id of peer exchange
// (34/WAKU2-PEER-EXCHANGE), protocols.PeerExchange.
const ProtocolID = protocols.PeerExchange

// MaxQueryPeers is the most peers a client may ask for in one request. It
// bounds the response we are willing to read (MaxQueryPeers ENRs of at most
// enr.SizeLimit bytes, about 80 KiB); nwaku answers at most 60 anyway
// (waku/waku_peer_exchange/common.nim MaxPeersCacheSize).
const MaxQueryPeers = 256

// DefaultServePeers is the most ENRs a Server puts in one response, nwaku's
// MaxPeersCacheSize (60, the spec's recommended cache of 10×D).
const DefaultServePeers = 60

// DefaultTimeout bounds one exchange on either side.
const DefaultTimeout = 10 * time.Second

// Per-entry and fixed overhead of a response around its ENRs: each PeerInfo
// costs two tags and two length prefixes (at most 8 bytes for an ENR of 300
// bytes); the envelope, query echo, status and a status text fit in 512.
const (
	peerInfoOverhead = 8
	envelopeOverhead = 512
	maxQuerySize     = 64 // a query is 4 to 15 bytes; leave room for unknown fields
)

// responseLimit is the largest response we read for a query of n peers.
func responseLimit(n int) int {
	return n*(enr.SizeLimit+peerInfoOverhead) + envelopeOverhead
}

type config struct {
	timeout    time.Duration
	servePeers int
	logger     *slog.Logger
}

func defaultConfig() config {
	return config{timeout: DefaultTimeout, servePeers: DefaultServePeers, logger: slog.New(slog.DiscardHandler)}
}

// Option configures a Client or a Server.
type Option func(*config) error

// WithTimeout bounds one exchange (default DefaultTimeout). Client and Server.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return &OptionError{Option: "WithTimeout", Reason: "must be positive"}
		}
		c.timeout = d
		return nil
	}
}

// WithServePeers caps the ENRs in one response (default DefaultServePeers).
// Server only.
func WithServePeers(n int) Option {
	return func(c *config) error {
		if n < 1 || n > MaxQueryPeers {
			return &OptionError{Option: "WithServePeers", Reason: "must be within 1..256"}
		}
		c.servePeers = n
		return nil
	}
}

// WithLogger sets the logger (default: discard). Client and Server.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return &OptionError{Option: "WithLogger", Reason: "nil logger"}
		}
		c.logger = l
		return nil
	}
}

func applyOptions(opts []Option) (config, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return config{}, err
		}
	}
	return cfg, nil
}
