package lightpush_test

import (
	"context"
	"fmt"
	"net/netip"

	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"

	"github.com/wakupm/wakupm/service"
	"github.com/wakupm/wakupm/service/lightpush"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

type noPeers struct{}

func (noPeers) Publish(context.Context, string, []byte) (int, error) {
	return 0, lightpush.ErrNoRelayPeers
}

// A push from a peer that is not connected to the host is refused before
// anything else (503): a lease is only granted to a connected peer.
func Example() {
	mn := mocknet.New()
	defer mn.Close()
	h, _ := mn.GenPeer()
	budget, _ := slots.NewBudget(50)
	g, _ := gater.New(budget)
	_ = g.Attach(h)
	shards, _ := shardmesh.ShardSetOf(32)
	lp, _ := lightpush.New(h, g, noPeers{}, service.Scope{Cluster: 16, Shards: shards})
	defer lp.Close()
	r := lp.Push(context.Background(), "stranger", netip.MustParseAddr("192.0.2.1"), "/waku/2/rs/16/32", true, nil, false)
	fmt.Println(r.Code)
	// Output:
	// 503
}
