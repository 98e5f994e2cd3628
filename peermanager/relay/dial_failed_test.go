package relay

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

func dialled(actions []Action) []peerid.ID {
	var ids []peerid.ID
	for _, a := range actions {
		if a.Kind == ActDial {
			ids = append(ids, a.Peer)
		}
	}
	return ids
}

// failedFixture: a core on shard 1 wanting one connected peer, one dial
// at a time; peer 1 is discovered, dialled, fails, and its backoff ends;
// then peer 2 is discovered. Each candidate has its own IP.
func failedFixture(t *testing.T, mutate func(*Config)) (*Core, time.Time) {
	t.Helper()
	cfg := WakupmPreset()
	cfg.ShardFloor, cfg.ShardOutboundFloor, cfg.UnhealthyExtra, cfg.UnhealthyExtraMax = 1, 0, 0, 0
	cfg.MaxDialsInFlight, cfg.OnDemandDiscovery = 1, false
	if mutate != nil {
		mutate(&cfg)
	}
	core, now := subscribedCore(t, cfg, 1), t0
	p1 := enrPeer(1, shardmesh.ClusterTWN, shardmesh.CapRelay, 1)
	p1.IP = netip.AddrFrom4([4]byte{10, 0, 0, 1})
	if got := dialled(core.Step(PeerDiscovered{Peer: p1}, now)); !slices.Equal(got, []peerid.ID{pid(1)}) {
		t.Fatalf("fixture: dialled %v, want peer 1", got)
	}
	core.Step(DialFailed{ID: pid(1)}, now.Add(time.Second))
	now = core.Book().Get(pid(1)).BackoffUntil().Add(time.Second)
	core.Step(Tick{}, now) // peer 1 alone: dialled again, fails again
	core.Step(DialFailed{ID: pid(1)}, now)
	now = core.Book().Get(pid(1)).BackoffUntil().Add(time.Second)
	return core, now
}

// TestDeferFailedUnseen: a peer whose last dial failed and that discovery
// has not returned since goes after a fresh candidate, but is still dialled
// when it is the only one; discovery returning it makes it an ordinary
// candidate again. The nwaku and go-waku presets do not have the rule.
func TestDeferFailedUnseen(t *testing.T) {
	p2 := enrPeer(2, shardmesh.ClusterTWN, shardmesh.CapRelay, 1)
	p2.IP = netip.AddrFrom4([4]byte{10, 0, 0, 2})

	t.Run("alone, it is still dialled", func(t *testing.T) {
		core, now := failedFixture(t, nil)
		if got := dialled(core.Step(Tick{}, now)); !slices.Equal(got, []peerid.ID{pid(1)}) {
			t.Fatalf("dialled %v, want peer 1 (last resort)", got)
		}
	})
	t.Run("a fresh candidate goes first", func(t *testing.T) {
		core, now := failedFixture(t, nil)
		// Peer 1 has a measured RTT, peer 2 none: without the rule,
		// peer 1 would go first (betterCandidate).
		core.Step(RTTMeasured{ID: pid(1), RTT: time.Millisecond}, now)
		if got := dialled(core.Step(PeerDiscovered{Peer: p2}, now)); !slices.Equal(got, []peerid.ID{pid(2)}) {
			t.Fatalf("dialled %v, want peer 2 first", got)
		}
	})
	t.Run("without the rule, the failed peer goes first", func(t *testing.T) {
		core, now := failedFixture(t, func(c *Config) { c.DeferFailedUnseen = false })
		core.Step(RTTMeasured{ID: pid(1), RTT: time.Millisecond}, now)
		if got := dialled(core.Step(PeerDiscovered{Peer: p2}, now)); !slices.Equal(got, []peerid.ID{pid(1)}) {
			t.Fatalf("dialled %v, want peer 1 (control)", got)
		}
	})
	t.Run("rediscovered, it is ordinary again", func(t *testing.T) {
		core, now := failedFixture(t, nil)
		p1 := enrPeer(1, shardmesh.ClusterTWN, shardmesh.CapRelay, 1)
		p1.IP = netip.AddrFrom4([4]byte{10, 0, 0, 1})
		core.Step(PeerDiscovered{Peer: p1}, now) // peer 1 alone: dialled
		core.Step(DialSucceeded{ID: pid(1)}, now)
		core.Step(PeerDisconnected{ID: pid(1)}, now)
		core.book.ResetBackoff(pid(1))
		core.state(core.book.Get(pid(1))).pruneCooldownUntil = time.Time{}
		core.Step(PeerDiscovered{Peer: p1}, now)
		if core.deferred(core.book.Get(pid(1)), now) {
			t.Fatal("peer 1 still deferred after discovery returned it")
		}
	})
	for name, mk := range Presets() {
		if got, want := mk().DeferFailedUnseen, name == "wakupm"; got != want {
			t.Errorf("preset %s: DeferFailedUnseen %v, want %v", name, got, want)
		}
	}
}
