package gater_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// A filter server on a libp2p host with two reserved filter slots: the
// gater is the host's connection gater and wraps the filter handler.
// Clients connect one after the other; the third finds no free slot.
func ExampleGater_Handler() {
	budget, _ := slots.NewBudget(30, slots.WithReserved(slots.Reserved{Filter: 2, LightPush: 2}))
	g, _ := gater.New(budget, gater.WithPoolOptions(slots.Filter, slots.WithMaxPerPrefix(0)))

	// Simulated hosts in real time: host 0 is the server, gated by g.
	nw, err := simhost.New(4, simhost.WithoutPubsub(), simhost.WithHostOptions(func(i int) []libp2p.Option {
		if i == 0 {
			return []libp2p.Option{libp2p.ConnectionGater(g)}
		}
		return nil
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nw.Close()
	server := nw.Node(0)
	if err := g.Attach(server.Host); err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }() // the sweeper, owned here
	defer func() { cancel(); <-done }()

	server.Host.SetStreamHandler(protocols.FilterSubscribe, g.Handler(
		func(s network.Stream, _ slots.Lease) { writeStatus(s, 200) },
		func(s network.Stream, rej *slots.Rejection) { writeStatus(s, rej.StatusCode()) },
	))
	for i := 1; i <= 3; i++ {
		code, err := subscribe(ctx, nw.Node(i), server.AddrInfo())
		fmt.Printf("client %d: status %d %v\n", i, code, err)
	}
	fmt.Println("filter slots in use:", g.Pool(slots.Filter).Stats(time.Now()).InUse)
	// Output:
	// client 1: status 200 <nil>
	// client 2: status 200 <nil>
	// client 3: status 503 <nil>
	// filter slots in use: 2
}

// An invalid option says which one and why; one passed to a pool through
// WithPoolOptions comes back as the pool's own *slots.OptionError.
func ExampleNew_invalidOption() {
	budget, _ := slots.NewBudget(50)
	_, err := gater.New(budget, gater.WithGrace(0))
	fmt.Println(err)
	_, err = gater.New(budget, gater.WithPoolOptions(slots.Filter, slots.WithTTL(-time.Second)))
	var oe *slots.OptionError
	fmt.Println(errors.As(err, &oe), err)
	// Output:
	// gater: invalid option WithGrace: grace period 0s must be positive
	// true gater: filter pool: slots: invalid option WithTTL: lease TTL -1s must be positive
}
