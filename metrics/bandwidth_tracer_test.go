package metrics

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/wakupm/wakupm/shardmesh"
)

// marshalLen is the independent measure: the length of the actual encoding.
func marshalLen(t testing.TB, m proto.Message) int {
	t.Helper()
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return len(b)
}

// wireLen is what gossipsub writes for rpc: a uvarint length, then the bytes.
func wireLen(t testing.TB, rpc *pb.RPC) int {
	n := marshalLen(t, rpc)
	return binary.PutUvarint(make([]byte, binary.MaxVarintLen64), uint64(n)) + n
}

func sha256ID(m *pb.Message) string {
	s := sha256.Sum256(m.GetData())
	return string(s[:])
}

// randomRPC builds an RPC with a random mix of every part gossipsub sends,
// on shard topics and on foreign ones.
func randomRPC(r *rand.Rand) *pubsub.RPC {
	topicFor := func() string {
		if r.IntN(5) == 0 {
			return fmt.Sprintf("/other/%d", r.IntN(3))
		}
		return shardmesh.Shard{Cluster: 1, Index: uint16(r.IntN(8))}.PubsubTopic()
	}
	ids := func() []string {
		out := make([]string, r.IntN(4))
		for i := range out {
			out[i] = fmt.Sprintf("id-%d", r.IntN(50))
		}
		return out
	}
	out := &pubsub.RPC{}
	rpc := &out.RPC
	for range r.IntN(3) {
		rpc.Subscriptions = append(rpc.Subscriptions, &pb.RPC_SubOpts{Subscribe: proto.Bool(r.IntN(2) == 0), Topicid: proto.String(topicFor())})
	}
	for range r.IntN(4) {
		rpc.Publish = append(rpc.Publish, &pb.Message{Data: make([]byte, r.IntN(3000)), Topic: proto.String(topicFor())})
	}
	if r.IntN(4) > 0 {
		c := &pb.ControlMessage{}
		for range r.IntN(3) {
			c.Ihave = append(c.Ihave, &pb.ControlIHave{TopicID: proto.String(topicFor()), MessageIDs: ids()})
		}
		for range r.IntN(3) {
			c.Iwant = append(c.Iwant, &pb.ControlIWant{MessageIDs: ids()})
		}
		for range r.IntN(3) {
			c.Graft = append(c.Graft, &pb.ControlGraft{TopicID: proto.String(topicFor())})
		}
		for range r.IntN(3) {
			p := &pb.ControlPrune{TopicID: proto.String(topicFor()), Backoff: proto.Uint64(60)}
			for range r.IntN(3) {
				p.Peers = append(p.Peers, &pb.PeerInfo{PeerID: make([]byte, 38), SignedPeerRecord: make([]byte, r.IntN(300))})
			}
			c.Prune = append(c.Prune, p)
		}
		for range r.IntN(3) {
			c.Idontwant = append(c.Idontwant, &pb.ControlIDontWant{MessageIDs: ids()})
		}
		if r.IntN(5) == 0 {
			c.Extensions = &pb.ControlExtensions{}
		}
		rpc.Control = c
	}
	return out
}

// expectedByType sizes each part by marshalling it alone in its parent
// message, a computation independent of the tracer's tag/length arithmetic.
func expectedByType(t testing.TB, rpc *pb.RPC) [NumMessageTypes]int {
	var want [NumMessageTypes]int
	for _, s := range rpc.Subscriptions {
		want[TypeSubscription] += marshalLen(t, &pb.RPC{Subscriptions: []*pb.RPC_SubOpts{s}})
	}
	for _, m := range rpc.Publish {
		want[TypeData] += marshalLen(t, &pb.RPC{Publish: []*pb.Message{m}})
	}
	if c := rpc.Control; c != nil {
		for _, e := range c.Ihave {
			want[TypeIHave] += marshalLen(t, &pb.ControlMessage{Ihave: []*pb.ControlIHave{e}})
		}
		for _, e := range c.Iwant {
			want[TypeIWant] += marshalLen(t, &pb.ControlMessage{Iwant: []*pb.ControlIWant{e}})
		}
		for _, e := range c.Graft {
			want[TypeGraft] += marshalLen(t, &pb.ControlMessage{Graft: []*pb.ControlGraft{e}})
		}
		for _, e := range c.Prune {
			want[TypePrune] += marshalLen(t, &pb.ControlMessage{Prune: []*pb.ControlPrune{e}})
		}
		for _, e := range c.Idontwant {
			want[TypeIDontWant] += marshalLen(t, &pb.ControlMessage{Idontwant: []*pb.ControlIDontWant{e}})
		}
	}
	sum := 0
	for _, n := range want {
		sum += n
	}
	want[TypeOverhead] = wireLen(t, rpc) - sum
	return want
}

func TestBandwidthTracerSplitsRandomRPCsExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tr, err := NewBandwidthTracer()
	require.NoError(t, err)
	var want [NumDirections][NumMessageTypes]uint64
	var wantWire [NumDirections]uint64
	for i := range 2000 {
		out := randomRPC(r)
		rpc := &out.RPC
		dir := Direction(i % NumDirections)
		switch dir {
		case DirectionOut:
			tr.SendRPCCompleted(out, "", 0)
		case DirectionIn:
			tr.RecvRPC(out)
		case DirectionDropped:
			tr.DropRPC(out, "")
		}
		for typ, n := range expectedByType(t, rpc) {
			want[dir][typ] += uint64(n)
		}
		wantWire[dir] += uint64(wireLen(t, rpc))
	}
	s := tr.BandwidthSnapshot()
	for d := range NumDirections {
		dir := Direction(d)
		require.Equal(t, want[d], s.GossipByType(dir), "direction %s", dir)
		require.Equal(t, wantWire[d], s.GossipTotal(dir), "direction %s", dir)
	}
}

func TestBandwidthTracerAttributesIDsToShards(t *testing.T) {
	tr, err := NewBandwidthTracer(WithMessageIDFunc(sha256ID))
	require.NoError(t, err)
	big := &pb.Message{Data: []byte("a waku message"), Topic: proto.String(topic(5))}
	id := sha256ID(big)

	// Before anything is known, an IDONTWANT has no shard.
	idontwant := func() *pubsub.RPC {
		return &pubsub.RPC{RPC: pb.RPC{Control: &pb.ControlMessage{Idontwant: []*pb.ControlIDontWant{{MessageIDs: []string{id}}}}}}
	}
	tr.SendRPCCompleted(idontwant(), "", 0)
	// Receiving the message teaches its id (WithMessageIDFunc) ...
	tr.RecvRPC(&pubsub.RPC{RPC: pb.RPC{Publish: []*pb.Message{big}}})
	// ... so the IDONTWANT sent right after goes to shard 5.
	tr.SendRPCCompleted(idontwant(), "", 0)
	// An IHAVE teaches its ids; the IWANT that follows is on its shard.
	tr.RecvRPC(&pubsub.RPC{RPC: pb.RPC{Control: &pb.ControlMessage{Ihave: []*pb.ControlIHave{{TopicID: proto.String(topic(6)), MessageIDs: []string{"m6"}}}}}})
	tr.SendRPCCompleted(&pubsub.RPC{RPC: pb.RPC{Control: &pb.ControlMessage{Iwant: []*pb.ControlIWant{{MessageIDs: []string{"m6"}}}}}}, "", 0)
	// A validated message teaches its id too.
	tr.ValidateMessage(&pubsub.Message{Message: &pb.Message{Topic: proto.String(topic(7))}, ID: "m7"})
	tr.SendRPCCompleted(&pubsub.RPC{RPC: pb.RPC{Control: &pb.ControlMessage{Iwant: []*pb.ControlIWant{{MessageIDs: []string{"m7"}}}}}}, "", 0)

	var got []string
	for _, r := range tr.BandwidthSnapshot().Gossip {
		if r.Direction == DirectionOut && (r.Type == TypeIDontWant || r.Type == TypeIWant) {
			got = append(got, fmt.Sprintf("%s shard=%v/%d entries=%d", r.Type, r.HasShard, r.Shard.Index, r.Entries))
		}
	}
	require.Equal(t, []string{
		"iwant shard=true/6 entries=1",
		"iwant shard=true/7 entries=1",
		"idontwant shard=false/0 entries=1",
		"idontwant shard=true/5 entries=1",
	}, got)
}

func BenchmarkBandwidthTracerSendRPCCompleted(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	rpcs := make([]*pubsub.RPC, 256)
	for i := range rpcs {
		rpcs[i] = randomRPC(r)
	}
	tr, err := NewBandwidthTracer()
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		tr.SendRPCCompleted(rpcs[i%len(rpcs)], "", 0)
	}
}
