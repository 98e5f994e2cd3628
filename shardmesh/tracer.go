package shardmesh

import (
	"errors"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Tracer is the go-libp2p-pubsub (v0.19) RawTracer that feeds a Tracker from
// gossipsub's event loop. It is the only code in this package that knows
// go-libp2p-pubsub.
//
// Mapping:
//   - Join / Leave of a static-sharding topic -> Tracker.Join / Leave;
//   - Graft / Prune -> Tracker.Graft / Prune;
//   - OnClosedOutboundStream -> Tracker.PeerGone: when a peer goes away,
//     gossipsub drops it from every mesh without calling Prune;
//   - OnNewOutboundStream -> Tracker.SetDirection, when built with
//     WithDirections (gossipsub counts a peer as outbound when we dialled it).
//
// Topics that are not /waku/2/rs/<cluster>/<shard> are counted in
// TrackerStats.ForeignTopics and otherwise ignored. Every callback returns
// after one Tracker event: it never blocks the event loop.
type Tracer struct {
	tracker *Tracker
	network network.Network
}

var _ pubsub.RawTracer = (*Tracer)(nil)

// TracerOption configures a Tracer.
type TracerOption func(*Tracer) error

// WithDirections makes the tracer look up, when gossipsub opens a stream to a
// peer, whether we dialled that peer (any outbound connection in n), and
// record it with Tracker.SetDirection. Pass the host's Network().
func WithDirections(n network.Network) TracerOption {
	return func(tr *Tracer) error {
		if n == nil {
			return errors.New("shardmesh: WithDirections: nil network")
		}
		tr.network = n
		return nil
	}
}

// NewTracer returns a RawTracer feeding t. Install it with Option.
func NewTracer(t *Tracker, opts ...TracerOption) (*Tracer, error) {
	if t == nil {
		return nil, errors.New("shardmesh: NewTracer: nil tracker")
	}
	tr := &Tracer{tracker: t}
	for _, o := range opts {
		if err := o(tr); err != nil {
			return nil, err
		}
	}
	return tr, nil
}

// Option returns the pubsub option that installs the tracer. It composes with
// other tracers: each pubsub.WithRawTracer adds one.
func (tr *Tracer) Option() pubsub.Option { return pubsub.WithRawTracer(tr) }

// ScoreInspectOption returns the pubsub option that feeds gossipsub peer
// scores to the Tracker every period (see Tracker.SetScore). Gossipsub must
// run with peer scoring (pubsub.WithPeerScore); it keeps a single inspector,
// so use this or your own, not both.
func (tr *Tracer) ScoreInspectOption(period time.Duration) pubsub.Option {
	return pubsub.WithPeerScoreInspect(pubsub.PeerScoreInspectFn(tr.tracker.SetScores), period)
}

// OnNewOutboundStream records that p speaks gossipsub with us
// (Tracker.Announced) and the direction of p's connection, if the tracer
// was built WithDirections.
func (tr *Tracer) OnNewOutboundStream(p peer.ID, _ protocol.ID) {
	tr.tracker.HeardFrom(p) // it speaks gossipsub with us
	if tr.network == nil {
		return
	}
	dir := network.DirInbound
	for _, c := range tr.network.ConnsToPeer(p) {
		if st := c.Stat(); st.Direction == network.DirOutbound && !st.Limited {
			dir = network.DirOutbound
			break
		}
	}
	tr.tracker.SetDirection(p, dir)
}

// OnClosedOutboundStream drops p from every mesh.
func (tr *Tracer) OnClosedOutboundStream(p peer.ID) { tr.tracker.PeerGone(p) }

// Join records that we joined topic.
func (tr *Tracer) Join(topic string) {
	if s, ok := tr.shard(topic); ok {
		tr.tracker.Join(s)
	}
}

// Leave records that we left topic.
func (tr *Tracer) Leave(topic string) {
	if s, ok := tr.shard(topic); ok {
		tr.tracker.Leave(s)
	}
}

// Graft records p entering our mesh for topic.
func (tr *Tracer) Graft(p peer.ID, topic string) {
	if s, ok := tr.shard(topic); ok {
		tr.tracker.Graft(p, s)
	}
}

// Prune records p leaving our mesh for topic.
func (tr *Tracer) Prune(p peer.ID, topic string) {
	if s, ok := tr.shard(topic); ok {
		tr.tracker.Prune(p, s)
	}
}

// RecvRPC records the topics the sender announces it subscribed to or
// left (Tracker.Announce); the first RPC of a stream is the sender's hello,
// listing all of them.
func (tr *Tracer) RecvRPC(rpc *pubsub.RPC) {
	// Every RPC passes here, messages included: take the tracker's lock
	// only for subscriptions. OnNewOutboundStream already marked the peer
	// as speaking gossipsub, and Announce marks it too.
	from := rpc.From()
	for _, sub := range rpc.GetSubscriptions() {
		if s, ok := tr.shard(sub.GetTopicid()); ok {
			tr.tracker.Announce(from, s, sub.GetSubscribe())
		}
	}
}

func (tr *Tracer) shard(topic string) (Shard, bool) {
	s, err := ParsePubsubTopic(topic)
	if err != nil {
		tr.tracker.countForeignTopic()
		return Shard{}, false
	}
	return s, true
}

// The remaining RawTracer callbacks carry nothing the Tracker needs.

func (*Tracer) ValidateMessage(*pubsub.Message)                      {}
func (*Tracer) DeliverMessage(*pubsub.Message)                       {}
func (*Tracer) RejectMessage(*pubsub.Message, string)                {}
func (*Tracer) DuplicateMessage(*pubsub.Message)                     {}
func (*Tracer) ThrottlePeer(peer.ID)                                 {}
func (*Tracer) SendRPC(*pubsub.RPC, peer.ID)                         {}
func (*Tracer) SendRPCCompleted(*pubsub.RPC, peer.ID, time.Duration) {}
func (*Tracer) DropRPC(*pubsub.RPC, peer.ID)                         {}
func (*Tracer) UndeliverableMessage(*pubsub.Message)                 {}
