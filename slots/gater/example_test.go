package gater_test

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

func ExampleGater_AdmitPeer() {
	budget, _ := slots.NewBudget(30, slots.WithReserved(slots.Reserved{Filter: 2, LightPush: 2}))
	// Pass g to libp2p.ConnectionGater, then g.Attach(host) and go g.Run(ctx);
	// a filter server calls g.Admit(stream) or uses g.Handler.
	g, _ := gater.New(budget, gater.WithPoolOptions(slots.Filter, slots.WithMaxPerPrefix(0)))

	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	addr := netip.MustParseAddr("192.0.2.1")
	for _, name := range []string{"a", "b", "a", "c"} {
		id := peer.ID(name)
		_, err := g.AdmitPeer(slots.Filter, id, addr, now)
		var rej *slots.Rejection
		switch {
		case errors.As(err, &rej):
			fmt.Printf("%s: status %d (%s)\n", name, rej.StatusCode(), rej.Reason)
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Printf("%s: status 200\n", name)
		}
	}
	// Output:
	// a: status 200
	// b: status 200
	// a: status 200
	// c: status 503 (no_slot)
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
