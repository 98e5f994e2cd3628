package metrics

import (
	"fmt"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
)

// BandwidthOption configures a Bandwidth (and the BandwidthTracer around it).
type BandwidthOption func(*bandwidthConfig) error

type bandwidthConfig struct {
	idCacheSize int
	messageID   func(*pb.Message) string
}

// WithMessageIDCacheSize sets how many message ids are remembered to
// attribute IWANT and IDONTWANT entries to shards; 0 disables the
// attribution (those bytes are then counted without a shard). Negative
// sizes are rejected.
func WithMessageIDCacheSize(n int) BandwidthOption {
	return func(c *bandwidthConfig) error {
		if n < 0 {
			return &OptionError{Option: "WithMessageIDCacheSize", Reason: fmt.Sprintf("message id cache size %d, want >= 0", n)}
		}
		c.idCacheSize = n
		return nil
	}
}

// WithMessageIDFunc gives the BandwidthTracer the pubsub message id
// function of the node (for Waku relay, SHA-256 of the data), so that the
// ids of received messages are learnt as the messages arrive and the
// IDONTWANT entries gossipsub sends right after (before validation) are
// attributed to the message's shard. It costs one id computation per
// received message. Without it, ids are learnt from IHAVE entries and from
// validated messages only.
func WithMessageIDFunc(f func(*pb.Message) string) BandwidthOption {
	return func(c *bandwidthConfig) error {
		if f == nil {
			return &OptionError{Option: "WithMessageIDFunc", Reason: "nil function"}
		}
		c.messageID = f
		return nil
	}
}

func newBandwidthConfig(opts []BandwidthOption) (bandwidthConfig, error) {
	cfg := bandwidthConfig{idCacheSize: DefaultMessageIDCacheSize}
	for _, o := range opts {
		if o == nil {
			return cfg, &OptionError{Option: "option", Reason: "nil option"}
		}
		if err := o(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}
