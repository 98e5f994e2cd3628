package peermanager_test

import (
	"flag"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/relay"
)

var eclipse = flag.Bool("eclipse", false,
	"run TestEclipseBySilentInboundPeers and the full size of TestEclipseAttackersBeforeStart")

// TestEclipseBySilentInboundPeers measures what an eclipse attempt by 30
// silent inbound peers on 30 IPs keeps from one victim with 10 honest
// relays on its shard, with Waku peer scoring on the honest nodes and the
// Manager (WakupmPreset: inbound target 20, outbound target and quota 10)
// on all of them: the victim's delivery ratio, its mesh by direction and by
// kind of peer, and its connections. The attackers connect just before the
// Managers start and redial every 10 s; discovery lists the honest nodes
// other than the victim. The Manager never learns that a silent peer is
// silent (P3, mesh message deliveries, is off in Waku's scoring), so what
// protects the victim is the outbound peers it chose itself (the quota)
// and gossipsub's Dout outbound mesh members.
//
// About 20 s of wall time (more under -race): it runs with -eclipse only.
func TestEclipseBySilentInboundPeers(t *testing.T) {
	if !*eclipse {
		t.Skip("a measurement: run it with -eclipse")
	}
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		const honest = 11
		r := newEclipseRig(t, eclipseSpec{seed: 6, honest: honest, victims: 1, attackers: 30, scoring: true,
			options: func(i int) []peermanager.Option {
				cfg := relay.WakupmPreset()
				cfg.Seed = uint64(i + 1)
				return []peermanager.Option{peermanager.WithConfig(cfg)}
			}})
		r.list(1, honest)
		r.redial(t, 10*time.Second) // the victim's inbound side is full before its Manager starts
		r.start(t, 0, honest)
		// Two minutes; from 30 s on, a random honest node publishes every second.
		rec := r.record(t)
		rng := rand.New(rand.NewPCG(6, 2))
		published := 0
		for s := 1; s <= 120; s++ {
			time.Sleep(time.Second)
			if s >= 30 {
				r.publish(t, 1+rng.IntN(honest-1), published)
				published++
			}
		}
		time.Sleep(5 * time.Second)
		rec.stop()
		got := 0
		for m := range published {
			got += b2i(rec.received(0, m))
		}
		v := r.view(0)
		ratio := float64(got) / float64(published)
		t.Logf("victim: delivery %d/%d (%.1f %%); %v", got, published, 100*ratio, v)
		if ratio < 0.99 {
			t.Errorf("delivery ratio %.3f at the victim", ratio)
		}
		if v.honestOutMesh() < wakugossip.Dout {
			t.Errorf("victim keeps %d honest outbound mesh peers, want >= Dout (%d)", v.honestOutMesh(), wakugossip.Dout)
		}
	})
}
