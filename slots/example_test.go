package slots_test

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/slots"
)

func ExampleNewBudget() {
	ours, _ := slots.NewBudget(50)
	nwaku, _ := slots.NwakuBudget(50)
	gowaku, _ := slots.GoWakuBudget(50)
	fmt.Println("ours:   ", ours)
	fmt.Println("nwaku:  ", nwaku)
	fmt.Println("go-waku:", gowaku)

	_, err := slots.NewBudget(10)
	fmt.Println(err)
	// Output:
	// ours:    max 50: relay in 20 out 10, reserved filter 10 lightpush 10 store 0 px 0, spare 0, headroom 3
	// nwaku:   max 50: relay in 20 out 10, reserved filter 10 lightpush 10 store 0 px 0, spare 0, headroom 0
	// go-waku: max 50: relay in 27 out 13, reserved filter 5 lightpush 5 store 0 px 0, spare 0, headroom 0
	// slots: invalid budget (max 10: relay in 4 out 2, reserved filter 2 lightpush 2 store 0 px 0, spare 0, headroom 1): relay targets (6) are below gossipsub Dhi (8), so the mesh cannot fill; raise maxConns to at least 12, or lower the service share, the reserved slots or the outbound target
}

func ExamplePool() {
	budget, _ := slots.NewBudget(50)
	pool, _ := slots.NewPool(slots.Filter, budget.Reserved.Filter,
		slots.WithMaxPerPrefix(2), slots.WithTTL(5*time.Minute))

	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	alice := slots.Client{Peer: "alice", Addr: netip.MustParseAddr("198.51.100.7")}
	lease, _ := pool.Admit(alice, now)

	// A filter ping within the TTL keeps the slot.
	_ = pool.Refresh(lease, now.Add(4*time.Minute))
	fmt.Println("live after 8 min:", pool.Live(lease, now.Add(8*time.Minute)))
	fmt.Println("live after 9 min:", pool.Live(lease, now.Add(9*time.Minute)))

	// Two more clients from alice's /24: the second is over the prefix cap.
	later := now.Add(10 * time.Minute)
	for _, id := range []string{"bob", "carol", "dave"} {
		c := slots.Client{Peer: peer.ID(id), Addr: netip.MustParseAddr("198.51.100.99")}
		_, err := pool.Admit(c, later)
		var rej *slots.Rejection
		if errors.As(err, &rej) {
			fmt.Printf("%s: refused, %s, status %d\n", id, rej.Reason, rej.StatusCode())
			continue
		}
		fmt.Printf("%s: admitted\n", id)
	}
	fmt.Printf("%d of %d filter slots in use\n", pool.Stats(later).InUse, pool.Capacity())
	// Output:
	// live after 8 min: true
	// live after 9 min: false
	// bob: admitted
	// carol: admitted
	// dave: refused, prefix_limit, status 429
	// 2 of 10 filter slots in use
}

func ExampleGater_AdmitPeer() {
	budget, _ := slots.NewBudget(30, slots.WithReserved(slots.Reserved{Filter: 2, LightPush: 2}))
	// Pass g to libp2p.ConnectionGater, then g.Attach(host) and go g.Run(ctx);
	// a filter server calls g.Admit(stream) or uses g.Handler.
	g, _ := slots.NewGater(budget, slots.WithPoolOptions(slots.Filter, slots.WithMaxPerPrefix(0)))

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
