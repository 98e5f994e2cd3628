package peermanager_test

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/relay"
)

// prestartSize is the shape of one TestEclipseAttackersBeforeStart run.
type prestartSize struct {
	honest, victims, attackers int
	in, out                    int           // the victims' inbound and outbound targets
	lead                       time.Duration // attackers alone with the victims before their Managers start
	window                     time.Duration // measured after the start, one message a second
	bound                      time.Duration // with the quota, every message from then on reaches every victim
	// discovery: how long after the start the victims' discovery finds
	// honest nodes (0: at once).
	discovery time.Duration
	// discoverAttackers: the victims' discovery finds the attackers at
	// once (eclipseSpec.discoverAttackers).
	discoverAttackers bool
	// background: the victims also run background discovery (30 s, 4
	// peers: the simulator's setting); 0: on-demand only (the default).
	background time.Duration
}

// prestartVictim is what one victim went through after its Manager started.
type prestartVictim struct {
	got      []bool     // message s (published s seconds after the start) received
	outMesh  []int      // honest outbound mesh peers, sampled each second
	end      victimView // at the end of the window
	relayIn  int        // the inbound relay peers its Manager counts at the end
	relayOut int
	recovery time.Duration // from the start until every later message arrived (window: never)
}

func (v prestartVictim) delivered() (n int) {
	for _, g := range v.got {
		n += b2i(g)
	}
	return n
}

// TestEclipseAttackersBeforeStart (issue 15 item 6): the attackers of the
// eclipse rig (silent mesh peers on as many IPs) are connected to the
// victims before the victims' Managers start: for `lead` they are the
// victims' only peers, fill their inbound side beyond the whole relay
// budget and hold every mesh position, and they redial every 5 s. The
// honest non-victims run their Managers from the beginning and discovery
// lists them (the victims only once they start: the honest nodes, settled
// among themselves, do not come looking for the victims). From the
// victims' start an honest non-victim publishes every second. Each case
// runs the victims with the quota (outbound floor Dout per shard,
// outbound target and quota) and without it (the same total as inbound
// target; no outbound floor, target or quota):
//
//   - unidentified: the victims' discovery finds the honest nodes only;
//     the attackers are known only as connected peers. (Until Start read
//     back identify's protocols for connections made before it, the
//     Manager counted none of them as relay peers and dialled its floor as
//     on an empty host.)
//   - discovered: the victims' discovery also finds the attackers, so the
//     Manager counts those it is told of on the shard. Without the quota
//     their number meets the floor and the victim never dials.
//   - discovered-honest-after-20s: the victims' discovery finds only the
//     attackers for the first 20 s. The victim dials the attackers it has
//     just pruned (the only candidates; their prune cooldown only puts them
//     last) and they meet its outbound floor; with its outbound target
//     unmet and no fresh candidate, it asks discovery again (RELAY-34) and
//     finds the honest nodes. (Before RELAY-34 it asked only for a shard
//     below its floors and never found them: 0/120 each.)
//   - ...-background: the same with background discovery every 30 s.
//
// Asserted with the quota, in the first three cases: within `bound` (20 s)
// of its start every victim receives every later message (a Manager that
// counts every attacker cannot dial before its prune, PruneGrace = 10 s
// after the start, has brought the total under its budget), and at the
// end holds at least ShardOutboundFloor honest outbound connections and
// Dout honest outbound mesh peers. The others are measured and logged.
// Measured with -eclipse (seed 9, 120 messages per victim), quota / no
// quota: unidentified 112-118 each, recovered after 2-8 s, 10 honest
// outbound connections / 71-115, recovered after 72-102 s;
// discovered 112-118, 2-8 s, 10 honest outbound / 55-118, 2-118 s, 0-3
// honest connections; discovered-honest-after-20s 113-118, 2-11 s, 6-7
// honest outbound / 56-86; with background discovery 113-117, 3-11 s, 7-8
// honest outbound but 1-3 honest outbound mesh peers (gossipsub keeps
// the silent ones it has) / 68-112. Without the quota no victim ever has
// an honest outbound mesh peer. CI runs the discovered case with the
// quota at 8 honest nodes (2 victims with targets 8/4) and 12 attackers
// for 30 s; -eclipse runs every case in both variants at 20 honest nodes
// (4 victims with the default targets 20/10) and 40 attackers for 2 min.
func TestEclipseAttackersBeforeStart(t *testing.T) {
	size := prestartSize{honest: 8, victims: 2, attackers: 12, in: 8, out: 4,
		lead: 20 * time.Second, window: 30 * time.Second, bound: 20 * time.Second}
	if *eclipse {
		size = prestartSize{honest: 20, victims: 4, attackers: 40, in: 20, out: 10,
			lead: time.Minute, window: 2 * time.Minute, bound: 20 * time.Second}
	}
	cases := []struct {
		name             string
		late, background time.Duration
		discovered       bool
		asserted         bool // the quota's guarantee holds
	}{
		{"unidentified", 0, 0, false, true},
		{"discovered", 0, 0, true, true},
		{"discovered-honest-after-20s", 20 * time.Second, 0, true, true},
		{"discovered-honest-after-20s-background", 20 * time.Second, 30 * time.Second, true, false},
	}
	for _, c := range cases {
		if !*eclipse && c.name != "discovered" {
			continue // CI runs the case the quota decides
		}
		size.discovery, size.discoverAttackers, size.background = c.late, c.discovered, c.background
		t.Run(c.name, func(t *testing.T) { testPrestart(t, size, c.asserted) })
	}
}

func testPrestart(t *testing.T, size prestartSize, asserted bool) {
	variants := []bool{true}
	if *eclipse { // the comparison: not in CI
		variants = append(variants, false)
	}
	for _, quota := range variants {
		t.Run(map[bool]string{true: "quota", false: "no-quota"}[quota], func(t *testing.T) {
			defer goleak.VerifyNone(t)
			var victims []prestartVictim
			synctest.Test(t, func(t *testing.T) { victims = runPrestart(t, size, quota) })
			for i, v := range victims {
				t.Logf("victim %d: delivered %d/%d, recovered after %v; honest outbound mesh per second %v; end: %v; Manager counts relay in/out %d/%d",
					i, v.delivered(), len(v.got), v.recovery, compactInts(v.outMesh), v.end, v.relayIn, v.relayOut)
			}
			if quota && asserted {
				checkPrestart(t, size, victims)
			}
		})
	}
}

// checkPrestart asserts what the outbound quota guarantees the victims.
func checkPrestart(t *testing.T, size prestartSize, victims []prestartVictim) {
	t.Helper()
	floor := relay.DefaultConfig().ShardOutboundFloor
	for i, v := range victims {
		if v.recovery > size.discovery+size.bound {
			t.Errorf("victim %d: every later message arrives only %v after its start, want <= %v", i, v.recovery, size.discovery+size.bound)
		}
		if n := v.end.honestOutConns(); n < floor {
			t.Errorf("victim %d: %d honest outbound connections, want >= ShardOutboundFloor (%d)", i, n, floor)
		}
		if n := v.end.honestOutMesh(); n < wakugossip.Dout {
			t.Errorf("victim %d: %d honest outbound mesh peers, want >= Dout (%d)", i, n, wakugossip.Dout)
		}
	}
}

// prestartOptions: the non-victims run the default policy; the victims
// run it with targets in/out, or, without the quota, with in+out inbound
// and no outbound floor, target or quota.
func prestartOptions(size prestartSize, i int, quota bool) []peermanager.Option {
	c := relay.DefaultConfig()
	c.Seed = uint64(i + 1)
	if i < size.victims {
		c.InboundTarget, c.OutboundTarget, c.OutboundQuota = size.in, size.out, size.out
		if !quota {
			c.InboundTarget += c.OutboundTarget
			c.OutboundTarget, c.OutboundQuota, c.ShardOutboundFloor = 0, 0, 0
		}
	}
	opts := []peermanager.Option{peermanager.WithConfig(c)}
	if i < size.victims && size.background > 0 {
		opts = append(opts, peermanager.WithBackgroundDiscovery(size.background, 4))
	}
	return opts
}

func runPrestart(t *testing.T, size prestartSize, quota bool) []prestartVictim {
	r := newEclipseRig(t, eclipseSpec{seed: 9, honest: size.honest, victims: size.victims, attackers: size.attackers, scoring: true,
		options:       func(i int) []peermanager.Option { return prestartOptions(size, i, quota) },
		lateDiscovery: size.discovery > 0, discoverAttackers: size.discoverAttackers})
	r.list(size.victims, size.honest)
	r.start(t, size.victims, size.honest)
	r.redial(t, 5*time.Second)
	time.Sleep(size.lead) // the attackers graft; the honest nodes settle among themselves
	rec := r.record(t)
	r.list(0, size.victims)
	r.start(t, 0, size.victims)
	seconds := int(size.window / time.Second)
	victims := make([]prestartVictim, size.victims)
	for s := range seconds {
		if time.Duration(s)*time.Second == size.discovery {
			r.openDiscovery()
		}
		r.publish(t, size.victims+s%(size.honest-size.victims), s)
		for i := range victims {
			victims[i].outMesh = append(victims[i].outMesh, r.view(i).honestOutMesh())
		}
		time.Sleep(time.Second)
	}
	time.Sleep(10 * time.Second) // gossip rounds for the stragglers
	rec.stop()
	for i := range victims {
		v := &victims[i]
		v.end = r.view(i)
		snap := r.honest[i].mgr.Snapshot()
		v.relayIn, v.relayOut = snap.RelayInbound, snap.RelayOutbound
		for s := range seconds {
			v.got = append(v.got, rec.received(i, s))
		}
		v.recovery = size.window
		for s := seconds - 1; s >= 0 && v.got[s]; s-- {
			v.recovery = time.Duration(s) * time.Second
		}
	}
	return victims
}

// compactInts prints a per-second series as runs: "0x12 2x3 4x45".
func compactInts(xs []int) string {
	out := ""
	for i := 0; i < len(xs); {
		j := i
		for j < len(xs) && xs[j] == xs[i] {
			j++
		}
		out += fmt.Sprintf(" %dx%d", xs[i], j-i)
		i = j
	}
	if out == "" {
		return out
	}
	return out[1:]
}
