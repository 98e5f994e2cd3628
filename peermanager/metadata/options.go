package metadata

import (
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// ProtocolID is the libp2p protocol id of the metadata protocol
// (66/WAKU2-METADATA), protocols.Metadata.
const ProtocolID = protocols.Metadata

// MaxWriteSize is the largest message we send. nwaku reads requests and
// responses with readLp(RpcResponseMaxBytes = 1024)
// (waku/waku_metadata/protocol.nim:21) and disconnects a peer whose answer it
// cannot read, so a longer message would cost us the connection.
const MaxWriteSize = 1024

// DefaultMaxReadSize bounds the messages we accept. Any honest message fits:
// all 1024 shards in both shard fields take under 5 KiB.
const DefaultMaxReadSize = 8 << 10

// DefaultTimeout bounds one exchange (open, write, read), on both sides.
const DefaultTimeout = 5 * time.Second

type config struct {
	shards    func() shardmesh.ShardSet
	timeout   time.Duration
	maxRead   int
	logger    *slog.Logger
	onRequest func(peer.ID, Metadata)
}

// Option configures a Service.
type Option func(*config) error

// WithShards sets the function returning the relay shards we advertise. It is
// called for every exchange, so answers follow subscribe and unsubscribe; it
// must be safe for concurrent use and return quickly. Without it we advertise
// no shards, which is what nodes that do not mount relay SHOULD do
// (66/WAKU2-METADATA, "Providing Shard Information").
func WithShards(shards func() shardmesh.ShardSet) Option {
	return func(c *config) error {
		if shards == nil {
			return &OptionError{Option: "WithShards", Reason: "nil function"}
		}
		c.shards = shards
		return nil
	}
}

// WithTimeout sets the time limit of one exchange (default DefaultTimeout).
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return &OptionError{Option: "WithTimeout", Reason: "must be positive"}
		}
		c.timeout = d
		return nil
	}
}

// WithMaxReadSize sets the largest message accepted (default
// DefaultMaxReadSize). It may not be below MaxWriteSize, or we could not read
// what we ourselves send.
func WithMaxReadSize(n int) Option {
	return func(c *config) error {
		if n < MaxWriteSize || n > 1<<20 {
			return &OptionError{Option: "WithMaxReadSize", Reason: "must be within 1024..1048576"}
		}
		c.maxRead = n
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

// WithRequestObserver sets a function told the metadata that a peer sent us
// in its request. The requester includes its own metadata precisely so that
// the responder learns it without a second exchange (66/WAKU2-METADATA), so
// an inbound peer's cluster and shards are known without asking. The function
// runs on the stream handler's goroutine before we answer: it must not block
// (hand the value to an event queue that drops or coalesces).
func WithRequestObserver(f func(peer.ID, Metadata)) Option {
	return func(c *config) error {
		if f == nil {
			return &OptionError{Option: "WithRequestObserver", Reason: "nil function"}
		}
		c.onRequest = f
		return nil
	}
}
