package filter_test

import (
	"context"
	"fmt"

	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/service"
	"github.com/wakupm/wakupm/service/filter"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// A node with a gater serves filter on its shards: New registers the
// handler, Run sweeps expired subscriptions, Deliver (or Feed) pushes.
func Example() {
	mn := mocknet.New()
	defer mn.Close()
	h, _ := mn.GenPeer()
	budget, _ := slots.NewBudget(50)
	g, _ := gater.New(budget)
	_ = g.Attach(h)
	shards, _ := shardmesh.ShardSetOf(32)
	fs, err := filter.New(h, g, service.Scope{Cluster: 16, Shards: shards})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- fs.Run(ctx) }()
	for _, p := range h.Mux().Protocols() {
		if p == protocols.FilterSubscribe {
			fmt.Println("serving", p, "with", g.Pool(slots.Filter).Capacity(), "slots")
		}
	}
	fmt.Println("queued for", fs.Deliver("/waku/2/rs/16/32", nil), "subscribers")
	cancel()
	fmt.Println(<-done)
	// Output:
	// serving /vac/waku/filter-subscribe/2.0.0-beta1 with 10 slots
	// queued for 0 subscribers
	// <nil>
}
