package simhost_test

import (
	"context"
	"fmt"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/wakupm/wakupm/internal/simhost"
)

// Outside a synctest bubble the simulated network runs in real time.
func Example() {
	nw, err := simhost.New(2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nw.Close()
	if err := nw.Connect(context.Background(), 0, 1); err != nil {
		fmt.Println(err)
		return
	}
	a, b := nw.Node(0), nw.Node(1)
	fmt.Println(a.Host.Network().Connectedness(b.ID()) == network.Connected)
	fmt.Println(a.Host.Network().ConnsToPeer(b.ID())[0].Stat().Direction)
	// Output:
	// true
	// Outbound
}
