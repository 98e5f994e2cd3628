package selection

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// TestSelectorInvariantsUnderRandomEvents drives the selector with random
// book changes, requests and outcomes under every preset and checks, after
// every step, what must always hold:
//   - a pool has no duplicate, never exceeds its target, and holds only
//     peers eligible for it (pinned ones aside): known to the book, serving
//     the protocol, on the shard or of unknown shards where allowed, not
//     benched for the protocol, connected when the policy says so;
//   - the book keeps exactly the pool members against eviction;
//   - an answer has no duplicate, at most the count asked, no excluded peer,
//     no peer benched, and no peer in dial backoff unless connected.
func TestSelectorInvariantsUnderRandomEvents(t *testing.T) {
	for name, mk := range Presets() {
		for seed := range uint64(12) {
			t.Run(fmt.Sprintf("%s/%d", name, seed), func(t *testing.T) {
				cfg := mk()
				cfg.Seed = seed
				// The random events are on cluster 1 (status: cluster 16);
				// declared shards too, so that they are exercised.
				cfg.Cluster, cfg.Shards = 1, []uint16{0, 1}
				for i := range cfg.Protocols {
					if cfg.Protocols[i].Protocol == protocols.Store && seed%2 == 0 {
						cfg.Protocols[i].Pinned = []peerid.ID{pid(0), "pinned-elsewhere"}
						cfg.Protocols[i].Policy = PolicyPinnedFirst
					}
				}
				r := &randomEventRun{t: t, f: newSelFixture(t, cfg), rng: rand.New(rand.NewPCG(seed, 99))}
				for step := range 600 {
					id := pid(r.rng.IntN(randomEventPeers))
					what := r.step(id)
					r.f.sel.Notifications()
					if t.Failed() {
						t.Fatalf("after step %d (%s %s)", step, what, id)
					}
					checkPools(t, r.f)
					if t.Failed() {
						t.Fatalf("after step %d (%s %s)", step, what, id)
					}
				}
				if testing.Verbose() {
					st := r.f.sel.Stats()
					t.Logf("selections %v replacements %v pools %d", st.Selections, st.Replacements, len(st.Pools))
				}
			})
		}
	}
}

// The population of TestSelectorInvariantsUnderRandomEvents.
const randomEventPeers, randomEventShards = 30, 4

var randomEventProtocols = []string{protocols.LightPush, protocols.FilterSubscribe, protocols.Store}

// randomEventRun is one run of TestSelectorInvariantsUnderRandomEvents:
// every choice is drawn from rng.
type randomEventRun struct {
	t   *testing.T
	f   *selFixture
	rng *rand.Rand
}

func (r *randomEventRun) shards() []uint16 {
	out := []uint16{uint16(r.rng.IntN(randomEventShards))}
	if r.rng.IntN(3) == 0 {
		out = append(out, uint16(r.rng.IntN(randomEventShards)))
	}
	return out
}

func (r *randomEventRun) protocol() string {
	return randomEventProtocols[r.rng.IntN(len(randomEventProtocols))]
}

func (r *randomEventRun) shard() shardmesh.Shard {
	return shardmesh.Shard{Cluster: 1, Index: uint16(r.rng.IntN(randomEventShards))}
}

// step applies one random event about id (or another peer) and returns
// its name.
func (r *randomEventRun) step(id peerid.ID) string {
	f, rng := r.f, r.rng
	switch op := rng.IntN(14); op {
	case 0, 1:
		if rng.IntN(5) == 0 {
			f.unknownShards(rng.IntN(randomEventPeers))
		} else {
			f.service(rng.IntN(randomEventPeers), r.shards()...)
		}
		return "discover"
	case 2:
		if f.book.Get(id) != nil || rng.IntN(4) == 0 {
			f.book.Connected(id, book.Outbound, netip.Addr{}, f.now)
			f.sel.PeerUpdated(id, f.now)
		}
		return "connect"
	case 3:
		f.disconnect(id)
		return "disconnect"
	case 4:
		r.identify(id)
		return "identify"
	case 5:
		cluster := uint16(1)
		if rng.IntN(8) == 0 {
			cluster = 2
		}
		f.book.MetadataReceived(id, cluster, shards(r.shards()...), f.now)
		f.sel.PeerUpdated(id, f.now)
		return "metadata"
	case 6:
		f.book.DialFailed(id, f.now.Add(time.Duration(rng.IntN(60))*time.Second), f.now)
		f.sel.PeerUpdated(id, f.now)
		return "dial-failed"
	case 7, 8:
		if err := f.sel.Report(id, r.protocol(), Outcome(rng.IntN(int(numOutcomes))), f.now); err != nil {
			r.t.Fatal(err)
		}
		return "report"
	case 9:
		f.sel.ReportPeer(id, OutcomePingFailed, f.now)
		return "ping-failed"
	case 10:
		f.advance(time.Duration(rng.IntN(90)) * time.Second)
		return "advance"
	case 11:
		f.sel.Release(r.protocol(), r.shard())
		return "release"
	case 12:
		if !f.sel.InPool(id) || rng.IntN(3) == 0 {
			f.book.Remove(id)
			f.sel.PeerUpdated(id, f.now)
		}
		return "removed"
	default:
		r.selectAndCheck()
		return "select"
	}
}

// identify gives id a random subset of the protocols.
func (r *randomEventRun) identify(id peerid.ID) {
	var ids []string
	for _, p := range randomEventProtocols {
		if r.rng.IntN(3) > 0 {
			ids = append(ids, p)
		}
	}
	r.f.book.Identified(id, ids, r.f.now)
	r.f.sel.PeerUpdated(id, r.f.now)
}

func (r *randomEventRun) selectAndCheck() {
	rng := r.rng
	req := Request{Protocol: r.protocol(), Shard: r.shard(),
		Count: rng.IntN(4), Policy: Policy(rng.IntN(int(numPolicies))), NoPool: rng.IntN(4) == 0}
	for range rng.IntN(3) {
		req.Exclude = append(req.Exclude, pid(rng.IntN(randomEventPeers)))
	}
	got, err := r.f.sel.Select(req, r.f.now)
	checkAnswer(r.t, r.f, req, got, err)
}

func checkAnswer(t *testing.T, f *selFixture, req Request, got []peerid.ID, err error) {
	t.Helper()
	ref := f.book.MustProtocol(string(req.Protocol))
	want := req.Count
	if want == 0 {
		want = f.sel.protos[ref].cfg.PoolSize
	}
	if len(got) > want {
		t.Errorf("answer %v longer than %d", got, want)
	}
	if len(got) == 0 && err == nil {
		t.Errorf("empty answer without error")
	}
	seen := map[peerid.ID]bool{}
	for _, id := range got {
		if seen[id] {
			t.Errorf("answer %v repeats %s", got, id)
		}
		seen[id] = true
		if req.excludes(id) {
			t.Errorf("answer %v holds excluded %s", got, id)
		}
		if f.sel.benched(id, ref, f.now) {
			t.Errorf("answer %v holds %s benched", got, id)
		}
		if p := f.book.Get(id); p != nil && p.Connectedness() != book.Connected && p.InBackoff(f.now) {
			t.Errorf("answer %v holds %s in dial backoff", got, id)
		}
		if f.sel.cfg.ConnectedOnly && !f.sel.isLive(id) {
			t.Errorf("connected-only answer %v holds %s not connected", got, id)
		}
	}
}

func checkPools(t *testing.T, f *selFixture) {
	t.Helper()
	c := f.sel
	count := map[peerid.ID]int{}
	for _, pl := range c.poolList {
		if len(pl.members) > pl.target {
			t.Errorf("pool %v: %d members above target %d", pl.key, len(pl.members), pl.target)
		}
		ids := make([]peerid.ID, 0, len(pl.members))
		for i := range pl.members {
			m := &pl.members[i]
			ids = append(ids, m.id)
			count[m.id]++
			if !c.stillEligible(pl, m, f.now) {
				t.Errorf("pool %v holds ineligible %s", pl.key, m.id)
			}
		}
		slices.Sort(ids)
		if len(slices.Compact(ids)) != len(pl.members) {
			t.Errorf("pool %v repeats a member", pl.key)
		}
	}
	if len(count) != len(c.inPools) {
		t.Errorf("inPools tracks %d peers, pools hold %d", len(c.inPools), len(count))
	}
	for id, n := range count {
		if c.inPools[id] != n {
			t.Errorf("inPools[%s] = %d, in %d pools", id, c.inPools[id], n)
		}
	}
	for p := range f.book.All() {
		if id := peerid.ID(p.ID()); p.Kept() != (count[id] > 0) {
			t.Errorf("%s kept %v, in %d pools", id, p.Kept(), count[id])
		}
	}
}
