package peermanager_test

import (
	"flag"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/slots"
)

var eclipseFull = flag.Bool("eclipse.quota.full", false,
	"TestEclipseSilentMeshPeers: 20 honest nodes and 40 attackers, with and without the outbound quota")

// eclipseSize is the shape of one TestEclipseSilentMeshPeers run.
type eclipseSize struct {
	honest, victims, attackers int
	messages                   int
}

// eclipseResult is what one run measured at the victims.
type eclipseResult struct {
	delivered, published int // summed over victims
	honestDelivered      int // summed over the non-victims, their own messages left out
	honestPublished      int
	views                []victimView // per victim, at the end of the run
	dials, prunes        []uint64     // per victim: dials started, peers pruned as over-served
}

func (r eclipseResult) ratio() float64 {
	return float64(r.delivered) / float64(max(r.published, 1))
}

// TestEclipseSilentMeshPeers (issue 15 item 6): the attackers of the
// eclipse rig connect to the victims as all the Managers start and redial
// every 5 s; discovery lists every honest node. After two minutes the
// honest non-victims publish, and the test measures the share of those
// messages each victim receives and its outbound mesh peers, with wakupm's
// outbound floor/target/quota and without any slot kept for outbound
// (same total), with Waku peer scoring.
//
// The bound asserted: with the quota every victim keeps at least
// ShardOutboundFloor (Dout) honest outbound peers in its mesh and receives
// every message. CI runs the quota variant at 12 honest nodes (2 victims)
// and 20 attackers; -eclipse.quota.full runs 20 honest nodes (4 victims)
// and 40 attackers, with and without the quota. Measured there (seed 7):
// with the quota 400/400, each victim with 9-10 honest outbound and 20
// attacker connections, honest outbound mesh peers 3-5; without it 0,
// 40 and 140 of 400 in three runs, each victim ending with 30 attacker
// connections and no honest one: its first 6 dials (its floor is short at
// start) are to honest nodes, but its prune (about 340 peers in 2.5 min),
// with no outbound quota, takes them as readily as the attackers, whose
// redials take the freed slots back. (Before the rig,
// the no-quota victim also got WithBudget, which put the outbound target
// and quota back: it measured 400/400.)
func TestEclipseSilentMeshPeers(t *testing.T) {
	size := eclipseSize{honest: 12, victims: 2, attackers: 20, messages: 40}
	if *eclipseFull {
		size = eclipseSize{honest: 20, victims: 4, attackers: 40, messages: 100}
	}
	quota := []bool{true}
	if *eclipseFull { // the comparison costs as much again: not in CI
		quota = append(quota, false)
	}
	for _, q := range quota {
		t.Run(map[bool]string{true: "quota", false: "no-quota"}[q], func(t *testing.T) {
			defer goleak.VerifyNone(t)
			var r eclipseResult
			synctest.Test(t, func(t *testing.T) { r = runEclipse(t, size, q) })
			t.Logf("%d honest (%d victims), %d attackers on %d IPs: victims received %d/%d = %.3f (non-victims %d/%d)",
				size.honest, size.victims, size.attackers, size.attackers, r.delivered, r.published, r.ratio(),
				r.honestDelivered, r.honestPublished)
			for i, v := range r.views {
				t.Logf("victim %d: %v; its Manager dialled %d peers and pruned %d", i, v, r.dials[i], r.prunes[i])
			}
			if !q {
				return // measured, not bounded: the point is the comparison
			}
			// The quota guarantees honest outbound connections; which of
			// them gossipsub grafts depends on their backoffs: in CI's
			// small network a victim kept 1 honest outbound mesh peer (of
			// 11 honest outbound connections) in 3 of 20 runs, so at CI
			// size at least one is required, ShardOutboundFloor at full
			// size.
			floor := relay.DefaultConfig().ShardOutboundFloor
			wantMesh := floor
			if !*eclipseFull {
				wantMesh = 1
			}
			for i, v := range r.views {
				if n := v.honestOutConns(); n < floor {
					t.Errorf("victim %d keeps %d honest outbound connections, want >= %d", i, n, floor)
				}
				if v.honestOutMesh() < wantMesh {
					t.Errorf("victim %d keeps %d honest outbound mesh peers, want >= %d", i, v.honestOutMesh(), wantMesh)
				}
			}
			if r.delivered != r.published {
				t.Errorf("victims received %d of %d messages, want all", r.delivered, r.published)
			}
		})
	}
}

// eclipseBudgetOptions runs honest node i on a 50-connection budget; a
// victim without the quota puts the budget's outbound share in its inbound
// target instead and keeps no outbound floor, target or quota. (WithBudget
// would put the budget's outbound target and quota back: the victim gets
// the numbers as a Config instead.)
func eclipseBudgetOptions(t *testing.T, i int, victim, quota bool) []peermanager.Option {
	b, err := slots.NewBudget(50)
	if err != nil {
		t.Fatal(err)
	}
	c := relay.DefaultConfig()
	c.Seed = uint64(i + 1)
	if !victim || quota {
		return []peermanager.Option{peermanager.WithConfig(c), peermanager.WithBudget(b)}
	}
	c.InboundTarget, c.DialHeadroom = b.RelayInbound+b.RelayOutbound, b.DialHeadroom
	c.OutboundTarget, c.OutboundQuota, c.ShardOutboundFloor = 0, 0, 0
	return []peermanager.Option{peermanager.WithConfig(c)}
}

func runEclipse(t *testing.T, size eclipseSize, quota bool) eclipseResult {
	r := newEclipseRig(t, eclipseSpec{seed: 7, honest: size.honest, victims: size.victims, attackers: size.attackers, scoring: true,
		options: func(i int) []peermanager.Option { return eclipseBudgetOptions(t, i, i < size.victims, quota) }})
	r.list(0, size.honest)
	r.start(t, 0, size.honest)
	// The attackers connect in the same virtual instant as the Managers
	// start, before any of the victims' dials completes.
	r.redial(t, 5*time.Second)
	time.Sleep(2 * time.Minute) // virtual: dials, prunes, meshes and scores settle
	rec := r.record(t)
	pubs := size.honest - size.victims
	publisher := func(m int) int { return size.victims + m%pubs }
	for m := range size.messages {
		r.publish(t, publisher(m), m)
		time.Sleep(250 * time.Millisecond)
	}
	time.Sleep(10 * time.Second) // gossip rounds for the stragglers
	rec.stop()
	var res eclipseResult
	for i := range size.honest {
		for m := range size.messages {
			switch {
			case i < size.victims:
				res.published++
				res.delivered += b2i(rec.received(i, m))
			case publisher(m) != i: // a publisher's own message counts as delivered to itself
				res.honestPublished++
				res.honestDelivered += b2i(rec.received(i, m))
			}
		}
	}
	for i := range size.victims {
		res.views = append(res.views, r.view(i))
		st := r.honest[i].mgr.Snapshot().Stats
		res.dials, res.prunes = append(res.dials, st.DialsStarted), append(res.prunes, st.Disconnects[relay.ReasonPruneOverServed])
	}
	return res
}
