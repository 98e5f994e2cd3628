package gossipsub

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// Tracer is the go-libp2p-pubsub (v0.19) RawTracer that feeds a
// shardmesh.Tracker from gossipsub's event loop.
//
// Mapping:
//   - Join / Leave of a static-sharding topic -> Tracker.Join / Leave;
//   - Graft / Prune -> Tracker.Graft / Prune;
//   - OnClosedOutboundStream -> Tracker.PeerGone: when a peer goes away,
//     gossipsub drops it from every mesh without calling Prune;
//   - OnNewOutboundStream -> Tracker.HeardFrom, and Tracker.SetDirection
//     when built WithNetwork (gossipsub counts a peer as outbound when we
//     dialled it);
//   - the last connection to a peer closing -> Tracker.PeerGone, when built
//     WithNetwork;
//   - RecvRPC -> Tracker.Announce for each subscription the RPC carries,
//     at most WithMaxSubscriptionsPerRPC of them.
//
// Peer ids cross as peerid.ID(p), a free conversion. Topics that are not
// /waku/2/rs/<cluster>/<shard> go to Tracker.ForeignTopic. Every callback
// returns after at most a few Tracker events: it never blocks the event loop.
type Tracer struct {
	tracker *shardmesh.Tracker
	network network.Network
	maxSubs int

	skippedSubs atomic.Uint64

	notifiee  *network.NotifyBundle // on network, until Close
	closeOnce sync.Once
}

// DefaultMaxSubscriptionsPerRPC bounds the subscriptions RecvRPC reads from
// one RPC. A hello lists every topic the sender is in, and a Waku node is in
// at most the 1024 shards of its cluster plus a few other topics; gossipsub
// delivers the RPC to the tracer before its own subscription filter, so
// without a bound one RPC of tens of thousands of topics would hold its
// event loop.
const DefaultMaxSubscriptionsPerRPC = 2 * shardmesh.ShardsPerCluster

// TracerStats counts what the Tracer dropped before the Tracker saw it.
type TracerStats struct {
	// SkippedSubscriptions: subscriptions beyond the per-RPC bound
	// (WithMaxSubscriptionsPerRPC), not read.
	SkippedSubscriptions uint64
}

var _ pubsub.RawTracer = (*Tracer)(nil)

// NewTracer returns a RawTracer feeding t. Install it with Option.
func NewTracer(t *shardmesh.Tracker, opts ...Option) (*Tracer, error) {
	if t == nil {
		return nil, errors.New("gossipsub: NewTracer: nil tracker")
	}
	tr := &Tracer{tracker: t, maxSubs: DefaultMaxSubscriptionsPerRPC}
	for _, o := range opts {
		if err := o(tr); err != nil {
			return nil, err
		}
	}
	if tr.network != nil {
		tr.notifiee = &network.NotifyBundle{DisconnectedF: tr.disconnected}
		tr.network.Notify(tr.notifiee)
	}
	return tr, nil
}

// Close stops following the network's disconnections (WithNetwork). Call it
// when the node stops; the tracer itself stays usable. It is idempotent and
// returns nil.
func (tr *Tracer) Close() error {
	tr.closeOnce.Do(func() {
		if tr.notifiee != nil {
			tr.network.StopNotify(tr.notifiee)
		}
	})
	return nil
}

// disconnected runs on the swarm's notification goroutine after c was
// removed from n: when it was p's last connection, p is gone. A peer that
// reconnects before this check keeps its state.
func (tr *Tracer) disconnected(n network.Network, c network.Conn) {
	p := c.RemotePeer()
	if n.Connectedness(p) != network.Connected {
		tr.tracker.PeerGone(peerid.ID(p))
	}
}

// Stats returns the Tracer's own counters; the Tracker's are in
// Tracker.Stats.
func (tr *Tracer) Stats() TracerStats {
	return TracerStats{SkippedSubscriptions: tr.skippedSubs.Load()}
}

// Option returns the pubsub option that installs the tracer. It composes with
// other tracers: each pubsub.WithRawTracer adds one.
func (tr *Tracer) Option() pubsub.Option { return pubsub.WithRawTracer(tr) }

// ScoreInspectOption returns the pubsub option that feeds gossipsub peer
// scores to the Tracker every period (see Tracker.SetScore). Gossipsub must
// run with peer scoring (pubsub.WithPeerScore); it keeps a single inspector,
// so use this or your own, not both.
func (tr *Tracer) ScoreInspectOption(period time.Duration) pubsub.Option {
	return pubsub.WithPeerScoreInspect(pubsub.PeerScoreInspectFn(tr.setScores), period)
}

// setScores hands pubsub's score map to the Tracker without copying it.
func (tr *Tracer) setScores(scores map[peer.ID]float64) {
	tr.tracker.SetScores(func(yield func(peerid.ID, float64) bool) {
		for p, s := range scores {
			if !yield(peerid.ID(p), s) {
				return
			}
		}
	})
}

// OnNewOutboundStream records that p speaks gossipsub with us
// (Tracker.Announced) and the direction of p's connection, if the tracer
// was built WithNetwork.
func (tr *Tracer) OnNewOutboundStream(p peer.ID, _ protocol.ID) {
	tr.tracker.HeardFrom(peerid.ID(p)) // it speaks gossipsub with us
	if tr.network == nil {
		return
	}
	dir := shardmesh.Inbound
	for _, c := range tr.network.ConnsToPeer(p) {
		if st := c.Stat(); st.Direction == network.DirOutbound && !st.Limited {
			dir = shardmesh.Outbound
			break
		}
	}
	tr.tracker.SetDirection(peerid.ID(p), dir)
}

// OnClosedOutboundStream drops p from every mesh.
func (tr *Tracer) OnClosedOutboundStream(p peer.ID) { tr.tracker.PeerGone(peerid.ID(p)) }

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
		tr.tracker.Graft(peerid.ID(p), s)
	}
}

// Prune records p leaving our mesh for topic.
func (tr *Tracer) Prune(p peer.ID, topic string) {
	if s, ok := tr.shard(topic); ok {
		tr.tracker.Prune(peerid.ID(p), s)
	}
}

// RecvRPC records the topics the sender announces it subscribed to or
// left (Tracker.Announce); the first RPC of a stream is the sender's hello,
// listing all of them.
func (tr *Tracer) RecvRPC(rpc *pubsub.RPC) {
	// Every RPC passes here, messages included: take the tracker's lock
	// only for subscriptions. OnNewOutboundStream already marked the peer
	// as speaking gossipsub, and Announce marks it too.
	tr.recvSubscriptions(peerid.ID(rpc.From()), rpc.GetSubscriptions())
}

func (tr *Tracer) recvSubscriptions(from peerid.ID, subs []*pb.RPC_SubOpts) {
	if len(subs) > tr.maxSubs {
		tr.skippedSubs.Add(uint64(len(subs) - tr.maxSubs))
		subs = subs[:tr.maxSubs]
	}
	for _, sub := range subs {
		if s, ok := tr.shard(sub.GetTopicid()); ok {
			tr.tracker.Announce(from, s, sub.GetSubscribe())
		}
	}
}

func (tr *Tracer) shard(topic string) (shardmesh.Shard, bool) {
	s, err := shardmesh.ParsePubsubTopic(topic)
	if err != nil {
		tr.tracker.ForeignTopic()
		return shardmesh.Shard{}, false
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
