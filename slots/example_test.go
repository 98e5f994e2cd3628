package slots_test

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/wakupm/wakupm/peerid"

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
		c := slots.Client{Peer: peerid.ID(id), Addr: netip.MustParseAddr("198.51.100.99")}
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

// A connection gater shell feeds the Ledger its connection events and
// closes the peers it names: here with one inbound relay slot and two
// reserved filter slots.
func ExampleLedger() {
	budget := slots.Budget{MaxConnections: 14, RelayInbound: 1, RelayOutbound: 7,
		Reserved: slots.Reserved{Filter: 2}}
	ledger := slots.NewLedger(budget, slots.LedgerConfig{
		Grace: 10 * time.Second, MaxPerPrefix: 5, IPv4PrefixLen: 32, IPv6PrefixLen: 64})
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

	connect := func(name string, i byte) peerid.ID {
		id, addr := peerid.ID(name), netip.AddrFrom4([4]byte{192, 0, 2, i})
		if r := ledger.CheckSecured(slots.Inbound, id, addr); r != 0 {
			fmt.Printf("%s: refused, %s\n", name, r)
			return id
		}
		ledger.Connected(slots.Inbound, id, addr, now)
		fmt.Printf("%s: %s\n", name, ledger.Class(id))
		return id
	}
	identified := func(id peerid.ID) { // identify listed the relay protocol
		if r, _ := ledger.MarkRelay(id, now); r != 0 {
			fmt.Printf("%s: close, %s\n", string(id), r)
			return
		}
		fmt.Printf("%s: %s\n", string(id), ledger.Class(id))
	}

	identified(connect("relay-a", 1))
	identified(connect("relay-b", 2)) // relay peers never take reserved slots
	client := connect("client", 3)
	ledger.Leased(client) // a Pool granted it a filter lease
	fmt.Printf("client: %s\n", ledger.Class(client))
	connect("idler", 4)
	connect("late", 5)

	holds := func(id peerid.ID) bool { return id == client }
	notRelay := func(peerid.ID) bool { return false }
	for _, c := range ledger.Sweep(nil, holds, notRelay, now.Add(10*time.Second)) {
		fmt.Printf("%s: close, %s\n", string(c.Peer), c.Why)
	}
	// Output:
	// relay-a: pending
	// relay-a: relay_inbound
	// relay-b: pending
	// relay-b: close, relay_full
	// client: pending
	// client: service
	// idler: pending
	// late: refused, inbound_full
	// idler: close, grace_expired
}
