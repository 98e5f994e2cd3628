package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// relayShard is one subscribed shard: its gossipsub topic and
// subscription, the reader goroutine and the buffer it fills.
type relayShard struct {
	shard shardmesh.Shard
	topic *pubsub.Topic
	sub   *pubsub.Subscription
	done  chan struct{} // closed when the reader returns

	mu       sync.Mutex // guards ring, received, v1Cursor
	ring     *ring
	received uint64
	v1Cursor uint64 // last sequence number returned by GET /relay/v1/messages
}

// Errors the REST layer maps to status codes.
var (
	errClosed        = errors.New("node is shutting down")
	errNotSubscribed = errors.New("not subscribed to the shard; POST /relay/subscribe first")
)

// Subscribe joins the shard's pubsub topic with the node's validator and
// starts buffering its messages. Subscribing twice is a no-op.
func (n *Node) Subscribe(index uint16) error {
	n.subMu.Lock()
	defer n.subMu.Unlock()
	n.mu.RLock()
	closed, have := n.closed, n.shards[index] != nil
	n.mu.RUnlock()
	switch {
	case closed:
		return errClosed
	case have:
		return nil
	}
	shard := shardmesh.Shard{Cluster: n.cfg.cluster, Index: index}
	name := shard.PubsubTopic()
	if err := n.ps.RegisterTopicValidator(name, n.validator(index), pubsub.WithValidatorInline(true)); err != nil {
		return fmt.Errorf("registering the validator of %s: %w", name, err)
	}
	topic, err := n.ps.Join(name)
	if err != nil {
		_ = n.ps.UnregisterTopicValidator(name)
		return fmt.Errorf("joining %s: %w", name, err)
	}
	// Waku peer scoring per topic (P4 penalises invalid messages: what cuts
	// off a publisher without the key of a protected shard).
	if err := topic.SetScoreParams(wakugossip.TopicScoreParams()); err != nil {
		n.log.Warn("topic score parameters", "topic", name, "err", err)
	}
	sub, err := topic.Subscribe()
	if err != nil {
		_ = topic.Close()
		_ = n.ps.UnregisterTopicValidator(name)
		return fmt.Errorf("subscribing to %s: %w", name, err)
	}
	rs := &relayShard{shard: shard, topic: topic, sub: sub, done: make(chan struct{}), ring: newRing(n.cfg.buffer)}
	n.mu.Lock()
	n.shards[index] = rs
	n.mu.Unlock()
	n.wg.Go(func() { n.read(rs) })
	n.announceShards()
	n.log.Info("subscribed", "topic", name)
	return nil
}

// Unsubscribe leaves the shard; its buffered messages are dropped.
// Unsubscribing from a shard not subscribed is a no-op.
func (n *Node) Unsubscribe(index uint16) error {
	n.subMu.Lock()
	defer n.subMu.Unlock()
	n.mu.Lock()
	rs := n.shards[index]
	delete(n.shards, index)
	n.mu.Unlock()
	if rs == nil {
		return nil
	}
	n.log.Info("unsubscribed", "topic", rs.shard.PubsubTopic())
	err := n.leave(rs)
	n.announceShards()
	return err
}

// leave cancels the subscription, waits for the reader and leaves the topic.
func (n *Node) leave(rs *relayShard) error {
	rs.sub.Cancel()
	<-rs.done
	return errors.Join(rs.topic.Close(), n.ps.UnregisterTopicValidator(rs.shard.PubsubTopic()))
}

// read buffers the shard's messages until the subscription ends.
func (n *Node) read(rs *relayShard) {
	defer close(rs.done)
	topic := rs.shard.PubsubTopic()
	for {
		m, err := rs.sub.Next(n.ctx)
		if err != nil {
			return
		}
		msg, err := protected.Unmarshal(m.Data)
		if err != nil { // the validator let it through: cannot happen
			continue
		}
		r := received{Message: msg, Hash: protected.MessageHash(topic, &msg), From: m.ReceivedFrom, ReceivedAt: time.Now()}
		rs.mu.Lock()
		rs.ring.add(r)
		rs.received++
		rs.mu.Unlock()
		if n.filter != nil { // set before any shard is subscribed
			n.filter.Deliver(topic, m.Data)
		}
	}
}

func (n *Node) relayShard(index uint16) (*relayShard, error) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.closed {
		return nil, errClosed
	}
	rs := n.shards[index]
	if rs == nil {
		return nil, errNotSubscribed
	}
	return rs, nil
}

// subscribed returns the subscribed shard indexes, ascending.
func (n *Node) subscribed() []uint16 {
	set := n.subscribedSet()
	return set.Indexes()
}

// subscribedSet returns the subscribed shards.
func (n *Node) subscribedSet() shardmesh.ShardSet {
	n.mu.RLock()
	defer n.mu.RUnlock()
	var set shardmesh.ShardSet
	for s := range n.shards {
		set.Add(s)
	}
	return set
}

// publishError is a message the node refuses to publish.
type publishError struct {
	verdict protected.Verdict
}

func (e *publishError) Error() string {
	switch e.verdict.Reason {
	case protected.ReasonReplay:
		return "a message with the same signed content was already published or received within the window"
	case protected.ReasonBadMetaLength:
		return "protected shard: meta must be the 64-byte signature (give the node the shard's private key to sign)"
	default:
		return fmt.Sprintf("protected shard: message refused (%s)", e.verdict.Reason)
	}
}

// published is the outcome of a publish.
type published struct {
	Topic      string
	Hash       protected.Hash
	Timestamp  int64
	Signed     bool
	TopicPeers int
	MeshPeers  int
}

// Publish publishes m on the shard. A message without a timestamp gets
// now. On a protected shard, a message without meta is signed when the node
// has the shard's private key, and the message is checked first so that a
// refusal says why (*publishError); otherwise it goes out as given.
func (n *Node) Publish(ctx context.Context, index uint16, m protected.Message) (published, error) {
	rs, err := n.relayShard(index)
	if err != nil {
		return published{}, err
	}
	now := time.Now()
	if m.Timestamp == 0 {
		m.Timestamp = now.UnixNano()
	}
	topic := rs.shard.PubsubTopic()
	out := published{Topic: topic}
	if p := n.protection(index); p != nil {
		if p.signer != nil && len(m.Meta) == 0 {
			if err := p.signer.Sign(&m, now); err != nil {
				return published{}, err
			}
			out.Signed = true
		}
		if vd := p.validator.Check(&m, now); vd.Result != protected.Accept {
			return published{}, &publishError{verdict: vd}
		}
	}
	if err := rs.topic.Publish(ctx, m.Marshal()); err != nil {
		return published{}, fmt.Errorf("publishing on %s: %w", topic, err)
	}
	out.Hash, out.Timestamp = protected.MessageHash(topic, &m), m.Timestamp
	out.TopicPeers = len(rs.topic.ListPeers())
	if h, ok := n.tracker.ShardHealth(rs.shard); ok {
		out.MeshPeers = h.MeshPeers
	}
	return out, nil
}

// messages returns the shard's buffered messages after seq (see ring.since).
func (n *Node) messages(index uint16, seq uint64, limit int) ([]received, uint64, uint64, error) {
	rs, err := n.relayShard(index)
	if err != nil {
		return nil, 0, 0, err
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	msgs, lost := rs.ring.since(nil, seq, limit)
	return msgs, lost, rs.ring.last(), nil
}

// drainV1 returns the messages received since the previous call, as nwaku's
// GET /relay/v1/messages/{topic} does.
func (n *Node) drainV1(index uint16) ([]received, error) {
	rs, err := n.relayShard(index)
	if err != nil {
		return nil, err
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	msgs, _ := rs.ring.since(nil, rs.v1Cursor, 0)
	rs.v1Cursor = rs.ring.last()
	return msgs, nil
}

// selfID is the node's peer id.
func (n *Node) selfID() peer.ID { return n.host.ID() }
