package metrics

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// The libp2p shell is a source; the fixture below is the same pools and
// ledger without it.
var _ SlotsSource = (*gater.Gater)(nil)

// poolSource holds a node's slots as any shell does: the pure pools and
// ledger behind one lock-free snapshot.
type poolSource struct {
	budget slots.Budget
	pools  [slots.NumServices]*slots.Pool
	ledger *slots.Ledger
}

func (s *poolSource) Stats(now time.Time) slots.Stats {
	st := slots.Stats{Budget: s.budget, Ledger: s.ledger.Stats()}
	for i, p := range s.pools {
		st.Pools[i] = p.Stats(now)
	}
	return st
}

func slotsFixture(t *testing.T) (SlotsSource, time.Time) {
	t.Helper()
	b, err := slots.NewBudget(30, slots.WithReserved(slots.Reserved{Filter: 2, LightPush: 3}))
	if err != nil {
		t.Fatal(err)
	}
	src := &poolSource{budget: b, ledger: slots.NewLedger(b, slots.LedgerConfig{Grace: time.Second})}
	for _, s := range slots.Services() {
		var opts []slots.PoolOption
		if s == slots.Filter {
			opts = append(opts, slots.WithMaxPerPrefix(0))
		}
		if src.pools[s], err = slots.NewPool(s, b.Reserved.Of(s), opts...); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	addr := netip.MustParseAddr("192.0.2.1")
	admit := func(svc slots.Service, id string, at time.Time) error {
		_, err := src.pools[svc].Renew(slots.Client{Peer: peerid.ID("peer-" + id), Addr: addr}, at)
		return err
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(admit(slots.Filter, "a", t0))
	must(admit(slots.Filter, "b", t0.Add(4*time.Minute)))
	if err := admit(slots.Filter, "c", t0.Add(4*time.Minute)); !errors.Is(err, slots.ErrRejected) {
		t.Fatalf("third filter client: %v", err)
	}
	must(admit(slots.LightPush, "a", t0))
	// Same /24 as a: over light push's default prefix cap of 1.
	if err := admit(slots.LightPush, "d", t0); !errors.Is(err, slots.ErrRejected) {
		t.Fatalf("second light-push client on one /24: %v", err)
	}
	return src, t0.Add(6 * time.Minute) // a's leases expired, b's is live
}

func TestSlotsCollectorExposition(t *testing.T) {
	g, scrapeAt := slotsFixture(t)
	c, err := NewSlotsCollector(g)
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return scrapeAt }
	want := `
# HELP wakupm_slots_capacity Slots reserved for the clients of a service.
# TYPE wakupm_slots_capacity gauge
wakupm_slots_capacity{service="filter"} 2
wakupm_slots_capacity{service="lightpush"} 3
wakupm_slots_capacity{service="peer_exchange"} 0
wakupm_slots_capacity{service="store"} 0
# HELP wakupm_slots_in_use Slots of a service held by a live lease.
# TYPE wakupm_slots_in_use gauge
wakupm_slots_in_use{service="filter"} 1
wakupm_slots_in_use{service="lightpush"} 0
wakupm_slots_in_use{service="peer_exchange"} 0
wakupm_slots_in_use{service="store"} 0
# HELP wakupm_slots_expired_total Leases of a service that expired after their TTL without activity.
# TYPE wakupm_slots_expired_total counter
wakupm_slots_expired_total{service="filter"} 1
wakupm_slots_expired_total{service="lightpush"} 1
wakupm_slots_expired_total{service="peer_exchange"} 0
wakupm_slots_expired_total{service="store"} 0
# HELP wakupm_slots_budget_connections The connection budget: max, relay_inbound, relay_outbound, reserved, spare, and the headroom relay dials may add while a shard is below its floor.
# TYPE wakupm_slots_budget_connections gauge
wakupm_slots_budget_connections{part="max"} 30
wakupm_slots_budget_connections{part="relay_inbound"} 16
wakupm_slots_budget_connections{part="relay_outbound"} 9
wakupm_slots_budget_connections{part="reserved"} 5
wakupm_slots_budget_connections{part="spare"} 0
wakupm_slots_budget_connections{part="headroom"} 3
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"wakupm_slots_capacity", "wakupm_slots_in_use", "wakupm_slots_expired_total", "wakupm_slots_budget_connections"); err != nil {
		t.Fatal(err)
	}
	rejected := `
# HELP wakupm_slots_rejected_total Clients of a service refused a slot, by reason (no_slot answers 503, peer_limit and prefix_limit 429).
# TYPE wakupm_slots_rejected_total counter
`
	for _, s := range []string{"filter", "lightpush", "peer_exchange", "store"} {
		for _, r := range []string{"no_slot", "peer_limit", "prefix_limit", "relay_peer"} {
			v := "0"
			if s == "filter" && r == "no_slot" || s == "lightpush" && r == "prefix_limit" {
				v = "1"
			}
			rejected += `wakupm_slots_rejected_total{reason="` + r + `",service="` + s + `"} ` + v + "\n"
		}
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(rejected), "wakupm_slots_rejected_total"); err != nil {
		t.Fatal(err)
	}
	// 4 services × 5 pool series + 16 rejection series + 6 budget parts +
	// 5 peer classes + 7 refusal reasons.
	if n := testutil.CollectAndCount(c); n != 4*5+16+6+5+7 {
		t.Fatalf("%d series", n)
	}
}

func TestSlotsCollectorLint(t *testing.T) {
	g, _ := slotsFixture(t)
	c, err := NewSlotsCollector(g)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

func TestSlotsCollectorNeedsSource(t *testing.T) {
	if _, err := NewSlotsCollector(nil); !errors.Is(err, ErrNoSlotsSource) {
		t.Fatalf("nil source: %v", err)
	}
}
