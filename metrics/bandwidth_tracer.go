package metrics

import (
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// Field numbers of the gossipsub RPC protobuf (go-libp2p-pubsub pb/rpc.proto),
// needed to size each entry with its tag and length exactly as on the wire.
const (
	fieldRPCSubscriptions = 1
	fieldRPCPublish       = 2
	fieldControlIHave     = 1
	fieldControlIWant     = 2
	fieldControlGraft     = 3
	fieldControlPrune     = 4
	fieldControlIDontWant = 5
)

// BandwidthTracer is a go-libp2p-pubsub (v0.19) RawTracer that accounts every
// gossipsub RPC the node sends, receives or drops, byte for byte, by message
// type and shard. Install it with pubsub.WithRawTracer alongside other
// tracers. It is safe for concurrent use; each callback takes a mutex for the
// few map updates of one RPC and never blocks otherwise.
//
// What is counted: the protobuf size of each RPC plus its uvarint length
// prefix, which is what gossipsub writes on the stream. Sent bytes are
// counted when the RPC has been written to the stream (SendRPCCompleted),
// not when it is queued (SendRPC): the first RPC to a new peer, which
// carries our subscriptions, is written without passing through SendRPC,
// and an RPC still queued when a stream dies is never written.
type BandwidthTracer struct {
	mu        sync.Mutex
	core      *Bandwidth
	messageID func(*pb.Message) string
}

var _ pubsub.RawTracer = (*BandwidthTracer)(nil)

// NewBandwidthTracer returns a tracer with an empty account. Options are
// validated.
func NewBandwidthTracer(opts ...BandwidthOption) (*BandwidthTracer, error) {
	cfg, err := newBandwidthConfig(opts)
	if err != nil {
		return nil, err
	}
	return &BandwidthTracer{core: newBandwidth(cfg), messageID: cfg.messageID}, nil
}

// BandwidthSnapshot returns a sorted copy of the account.
func (t *BandwidthTracer) BandwidthSnapshot() BandwidthSnapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.core.Snapshot()
}

// SendRPCCompleted accounts an RPC written to the stream of a peer.
func (t *BandwidthTracer) SendRPCCompleted(rpc *pubsub.RPC, _ peer.ID, _ time.Duration) {
	t.account(DirectionOut, &rpc.RPC)
}

// RecvRPC accounts an RPC received from a peer.
func (t *BandwidthTracer) RecvRPC(rpc *pubsub.RPC) {
	t.account(DirectionIn, &rpc.RPC)
}

// DropRPC accounts an RPC gossipsub dropped instead of sending it to p.
func (t *BandwidthTracer) DropRPC(rpc *pubsub.RPC, _ peer.ID) {
	t.account(DirectionDropped, &rpc.RPC)
}

// ValidateMessage learns the id of a message entering validation (received
// or published locally) for the attribution of IWANT/IDONTWANT entries.
func (t *BandwidthTracer) ValidateMessage(msg *pubsub.Message) {
	t.learn(msg)
}

// DuplicateMessage learns the id of a duplicate, like ValidateMessage.
func (t *BandwidthTracer) DuplicateMessage(msg *pubsub.Message) {
	t.learn(msg)
}

func (t *BandwidthTracer) learn(msg *pubsub.Message) {
	if msg == nil || msg.ID == "" {
		return
	}
	t.mu.Lock()
	t.core.LearnMessageID(msg.ID, msg.GetTopic())
	t.mu.Unlock()
}

// account splits rpc into its entries and counts each with its protobuf tag
// and length; what is left of the wire size (length prefix, control
// envelope, extensions, unknown fields) is overhead. The parts therefore add
// up to exactly the bytes gossipsub writes for this RPC.
func (t *BandwidthTracer) account(dir Direction, rpc *pb.RPC) {
	if rpc == nil {
		return
	}
	total := proto.Size(rpc)
	wire := protowire.SizeVarint(uint64(total)) + total

	var idBuf [8]string
	ids := idBuf[:0]
	if dir == DirectionIn && t.messageID != nil {
		// Compute ids outside the lock: it is the costly part.
		for _, m := range rpc.GetPublish() {
			ids = append(ids, t.messageID(m))
		}
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	attributed := 0
	for _, s := range rpc.GetSubscriptions() {
		n := entrySize(fieldRPCSubscriptions, s)
		t.core.AddGossip(dir, TypeSubscription, s.GetTopicid(), n, 1)
		attributed += n
	}
	for i, m := range rpc.GetPublish() {
		n := entrySize(fieldRPCPublish, m)
		t.core.AddGossip(dir, TypeData, m.GetTopic(), n, 1)
		attributed += n
		if i < len(ids) {
			t.core.LearnMessageID(ids[i], m.GetTopic())
		}
	}
	if ctl := rpc.GetControl(); ctl != nil {
		for _, e := range ctl.GetIhave() {
			n := entrySize(fieldControlIHave, e)
			topic := e.GetTopicID()
			t.core.AddGossip(dir, TypeIHave, topic, n, 1)
			attributed += n
			for _, id := range e.GetMessageIDs() {
				t.core.LearnMessageID(id, topic)
			}
		}
		for _, e := range ctl.GetIwant() {
			n := entrySize(fieldControlIWant, e)
			t.core.AddGossipForIDs(dir, TypeIWant, e.GetMessageIDs(), n)
			attributed += n
		}
		for _, e := range ctl.GetGraft() {
			n := entrySize(fieldControlGraft, e)
			t.core.AddGossip(dir, TypeGraft, e.GetTopicID(), n, 1)
			attributed += n
		}
		for _, e := range ctl.GetPrune() {
			n := entrySize(fieldControlPrune, e)
			t.core.AddGossip(dir, TypePrune, e.GetTopicID(), n, 1)
			attributed += n
		}
		for _, e := range ctl.GetIdontwant() {
			n := entrySize(fieldControlIDontWant, e)
			t.core.AddGossipForIDs(dir, TypeIDontWant, e.GetMessageIDs(), n)
			attributed += n
		}
	}
	t.core.AddGossip(dir, TypeOverhead, "", wire-attributed, 1)
}

// entrySize is the wire size of m as a length-delimited field number field.
func entrySize(field protowire.Number, m proto.Message) int {
	return protowire.SizeTag(field) + protowire.SizeBytes(proto.Size(m))
}

// The remaining RawTracer methods carry no bytes.

// OnNewOutboundStream implements pubsub.RawTracer; it does nothing.
func (*BandwidthTracer) OnNewOutboundStream(peer.ID, protocol.ID) {}

// OnClosedOutboundStream implements pubsub.RawTracer; it does nothing.
func (*BandwidthTracer) OnClosedOutboundStream(peer.ID) {}

// Join implements pubsub.RawTracer; it does nothing.
func (*BandwidthTracer) Join(string) {}

// Leave implements pubsub.RawTracer; it does nothing.
func (*BandwidthTracer) Leave(string) {}

// Graft implements pubsub.RawTracer; it does nothing.
func (*BandwidthTracer) Graft(peer.ID, string) {}

// Prune implements pubsub.RawTracer; it does nothing.
func (*BandwidthTracer) Prune(peer.ID, string) {}

// DeliverMessage implements pubsub.RawTracer; it does nothing.
func (*BandwidthTracer) DeliverMessage(*pubsub.Message) {}

// RejectMessage implements pubsub.RawTracer; it does nothing.
func (*BandwidthTracer) RejectMessage(*pubsub.Message, string) {}

// ThrottlePeer implements pubsub.RawTracer; it does nothing.
func (*BandwidthTracer) ThrottlePeer(peer.ID) {}

// SendRPC implements pubsub.RawTracer; it does nothing: sent bytes are
// counted once written, in SendRPCCompleted.
func (*BandwidthTracer) SendRPC(*pubsub.RPC, peer.ID) {}

// UndeliverableMessage implements pubsub.RawTracer; it does nothing.
func (*BandwidthTracer) UndeliverableMessage(*pubsub.Message) {}
