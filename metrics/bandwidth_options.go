package metrics

import (
	"errors"
	"fmt"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
)

// ErrInvalidBandwidthOption is wrapped by every error a BandwidthOption
// returns: the option's argument is out of range; fix the argument.
var ErrInvalidBandwidthOption = errors.New("metrics: invalid bandwidth option")

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
			return fmt.Errorf("%w: message id cache size %d, want >= 0", ErrInvalidBandwidthOption, n)
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
			return fmt.Errorf("%w: WithMessageIDFunc(nil)", ErrInvalidBandwidthOption)
		}
		c.messageID = f
		return nil
	}
}

func newBandwidthConfig(opts []BandwidthOption) (bandwidthConfig, error) {
	cfg := bandwidthConfig{idCacheSize: DefaultMessageIDCacheSize}
	for _, o := range opts {
		if o == nil {
			return cfg, fmt.Errorf("%w: nil option", ErrInvalidBandwidthOption)
		}
		if err := o(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}
