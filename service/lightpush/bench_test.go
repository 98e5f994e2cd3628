package lightpush_test

import (
	"context"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"

	"github.com/wakupm/wakupm/service"
	"github.com/wakupm/wakupm/service/lightpush"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/protected"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// countingRelay stands in for gossipsub: the hand-off is what is measured.
type countingRelay struct{ n atomic.Uint64 }

func (r *countingRelay) Publish(_ context.Context, _ string, _ []byte) (int, error) {
	r.n.Add(1)
	return 6, nil
}

// BenchmarkPushAdmitAndHandOff: one light push of a 512-byte message from a
// connected client: lease renewal in the light-push pool, decoding, the
// shard check and the hand-off to the relay (no stream I/O).
func BenchmarkPushAdmitAndHandOff(b *testing.B) {
	mn := mocknet.New()
	defer mn.Close()
	server, err := mn.GenPeer()
	if err != nil {
		b.Fatal(err)
	}
	client, err := mn.GenPeer()
	if err != nil {
		b.Fatal(err)
	}
	budget, err := slots.NewBudget(50)
	if err != nil {
		b.Fatal(err)
	}
	g, err := gater.New(budget)
	if err != nil {
		b.Fatal(err)
	}
	if err := g.Attach(server); err != nil {
		b.Fatal(err)
	}
	if err := mn.LinkAll(); err != nil {
		b.Fatal(err)
	}
	if _, err := mn.ConnectPeers(client.ID(), server.ID()); err != nil {
		b.Fatal(err)
	}
	shards, _ := shardmesh.ShardSetOf(32)
	relay := &countingRelay{}
	s, err := lightpush.New(server, g, relay, service.Scope{Cluster: 16, Shards: shards})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	msg := protected.Message{Payload: make([]byte, 512), ContentTopic: "/app/1/chat/proto", Timestamp: time.Now().UnixNano()}.Marshal()
	addr := netip.MustParseAddr("192.0.2.1")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := s.Push(ctx, client.ID(), addr, "/waku/2/rs/16/32", true, msg, true); r.Code != 200 {
			b.Fatalf("%+v", r)
		}
	}
	if relay.n.Load() == 0 {
		b.Fatal("nothing relayed")
	}
}
