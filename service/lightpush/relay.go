package lightpush

import (
	"context"
	"errors"
	"fmt"
	"sync"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Relay hands a light-pushed message to the node's relay.
type Relay interface {
	// Publish relays message (a WakuMessage encoding) on pubsubTopic and
	// returns how many relay peers it went to. It returns an error wrapping
	// ErrNoRelayPeers when the topic has none, ErrInvalidMessage when the
	// relay's validator refuses the message.
	Publish(ctx context.Context, pubsubTopic string, message []byte) (peers int, err error)
}

// Errors a Relay returns.
var (
	ErrNoRelayPeers   = errors.New("lightpush: no relay peers on the shard")
	ErrInvalidMessage = errors.New("lightpush: relay refused the message")
	ErrNotJoined      = errors.New("lightpush: relay has not joined the topic")
)

// PubSubRelay adapts go-libp2p-pubsub topics the node has joined. Topics
// are looked up by Topic (the node owns them; a nil return is
// ErrNotJoined). Local publishes run the topic's validators, so a message
// invalid on a protected shard (shardmesh/protected's validator) is
// refused here as ErrInvalidMessage.
type PubSubRelay struct {
	Topic func(pubsubTopic string) *pubsub.Topic
}

// Publish implements Relay.
func (r PubSubRelay) Publish(ctx context.Context, pubsubTopic string, message []byte) (int, error) {
	t := r.Topic(pubsubTopic)
	if t == nil {
		return 0, fmt.Errorf("%w: %s", ErrNotJoined, pubsubTopic)
	}
	n := len(t.ListPeers())
	if n == 0 {
		return 0, fmt.Errorf("%w: %s", ErrNoRelayPeers, pubsubTopic)
	}
	if err := t.Publish(ctx, message); err != nil {
		var ve pubsub.ValidationError
		if errors.As(err, &ve) {
			return 0, fmt.Errorf("%w: %s", ErrInvalidMessage, ve.Reason)
		}
		return 0, err
	}
	return n, nil
}

// Topics is a concurrency-safe map of joined topics for PubSubRelay.Topic.
type Topics struct {
	mu sync.RWMutex
	m  map[string]*pubsub.Topic
}

// Add records a joined topic.
func (t *Topics) Add(topic *pubsub.Topic) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]*pubsub.Topic{}
	}
	t.m[topic.String()] = topic
}

// Get returns the topic joined under name, or nil.
func (t *Topics) Get(name string) *pubsub.Topic {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.m[name]
}
