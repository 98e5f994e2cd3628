package peermanager

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// selFixture is a book of cluster 1 and a selector over it.
type selFixture struct {
	t    *testing.T
	book *book.Book
	sel  *SelectorCore
	now  time.Time
}

func newSelFixture(t *testing.T, cfg SelectorConfig) *selFixture {
	t.Helper()
	book := newTestBook(t)
	sel, err := NewSelectorCore(book, cfg)
	require.NoError(t, err)
	return &selFixture{t: t, book: book, sel: sel, now: t0}
}

const svcCaps = shardmesh.CapFilter | shardmesh.CapLightPush | shardmesh.CapStore

// service adds peer i advertising the service capabilities on shards idx
// (by ENR) and returns its id.
func (f *selFixture) service(i int, idx ...uint16) peer.ID {
	f.t.Helper()
	_, err := f.book.Discover(enrPeer(i, 1, svcCaps, idx...), f.now)
	require.NoError(f.t, err)
	f.sel.PeerUpdated(pid(i), f.now)
	return pid(i)
}

// unknownShards adds peer i with service capabilities and no shard entry.
func (f *selFixture) unknownShards(i int) peer.ID {
	f.t.Helper()
	_, err := f.book.Discover(book.DiscoveredPeer{ID: rpid(i), Origin: book.OriginPeerExchange, HasENR: true, Cluster: 1, Caps: svcCaps}, f.now)
	require.NoError(f.t, err)
	f.sel.PeerUpdated(pid(i), f.now)
	return pid(i)
}

func (f *selFixture) connect(ids ...peer.ID) {
	for _, id := range ids {
		f.book.Connected(peerid.ID(id), book.Outbound, netip.Addr{}, f.now)
		f.sel.PeerUpdated(id, f.now)
	}
}

func (f *selFixture) disconnect(ids ...peer.ID) {
	for _, id := range ids {
		f.book.Disconnected(peerid.ID(id), f.now)
		f.sel.PeerUpdated(id, f.now)
	}
}

func (f *selFixture) advance(d time.Duration) {
	f.now = f.now.Add(d)
	f.sel.Tick(f.now)
}

func (f *selFixture) selectN(proto protocol.ID, shard uint16, n int) []peer.ID {
	f.t.Helper()
	got, err := f.sel.Select(ForShard(proto, shardmesh.Shard{Cluster: 1, Index: shard}, n), f.now)
	require.NoError(f.t, err)
	return got
}

func (f *selFixture) selectErr(req Request) error {
	_, err := f.sel.Select(req, f.now)
	return err
}

func (f *selFixture) report(id peer.ID, proto protocol.ID, o Outcome) {
	f.t.Helper()
	require.NoError(f.t, f.sel.Report(id, proto, o, f.now))
}

func (f *selFixture) pool(proto protocol.ID, shard uint16) []peer.ID {
	var out []peer.ID
	for _, m := range f.sel.Pool(proto, shardmesh.Shard{Cluster: 1, Index: shard}) {
		out = append(out, m.ID)
	}
	return out
}

func (f *selFixture) events() []SelectorEvent { return slices.Clone(f.sel.Events()) }

func TestSelectConnectedFirstNeverPicksDialableWhileConnectedSuffice(t *testing.T) {
	cfg := DefaultSelectorConfig()
	seen := map[peer.ID]int{}
	for seed := range uint64(200) {
		cfg.Seed = seed
		f := newSelFixture(t, cfg)
		var conn []peer.ID
		for i := range 8 {
			id := f.service(i, 3)
			if i < 3 {
				conn = append(conn, id)
			}
		}
		f.connect(conn...)
		got, err := f.sel.Select(Request{Protocol: ProtocolLightPush, Shard: shardmesh.Shard{Cluster: 1, Index: 3}, NoPool: true}, f.now)
		require.NoError(t, err)
		require.Len(t, got, 2)
		require.Subset(t, conn, got, "seed %d: only connected peers while two are connected", seed)
		for _, id := range got {
			seen[id]++
		}
	}
	require.Len(t, seen, 3, "every connected peer gets picked across seeds")
	for id, n := range seen {
		require.Greater(t, n, 80, "%s picked %d times of 400: not uniform", id, n)
	}
}

func TestSelectFallsBackToDialablePeersOutsideBackoff(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	c := f.service(0, 3)
	f.connect(c)
	d1, d2 := f.service(1, 3), f.service(2, 3)
	f.book.DialFailed(peerid.ID(d2), f.now.Add(time.Minute), f.now)
	got := f.selectN(ProtocolLightPush, 3, 3)
	require.Equal(t, c, got[0], "the connected peer comes first")
	require.ElementsMatch(t, []peer.ID{c, d1}, got, "the peer in dial backoff is not eligible")
}

func TestSelectEligibilityRules(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	good := f.service(0, 5)
	_, err := f.book.Discover(enrPeer(1, 1, shardmesh.CapRelay, 5), f.now) // no service capability
	require.NoError(t, err)
	_, err = f.book.Discover(enrPeer(2, 2, svcCaps, 5), f.now) // other cluster
	require.NoError(t, err)
	f.service(3, 6) // other shard
	identifiedOut := f.service(4, 5)
	f.connect(pid(1), pid(2), pid(3), identifiedOut, good)
	// identify wins over the ENR: peer 4 turns out not to serve light push.
	f.book.Identified(peerid.ID(identifiedOut), []string{ProtocolFilter}, f.now)
	f.sel.PeerUpdated(identifiedOut, f.now)
	require.Equal(t, []peer.ID{good}, f.selectN(ProtocolLightPush, 5, 4))
	require.ElementsMatch(t, []peer.ID{good, identifiedOut}, f.selectN(ProtocolFilter, 5, 4))
}

func TestSelectUnknownShardsModes(t *testing.T) {
	for _, tc := range []struct {
		mode   UnknownShards
		want   int // peers returned out of 3 asked: 1 known + 2 unknown
		onlyUn bool
	}{
		{UnknownShardsLastResort, 3, false},
		{UnknownShardsNever, 1, false},
		{UnknownShardsAlongside, 3, false},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			cfg := DefaultSelectorConfig()
			cfg.UnknownShards = tc.mode
			f := newSelFixture(t, cfg)
			u1, u2 := f.unknownShards(10), f.unknownShards(11)
			f.connect(u1, u2)
			known := f.service(0, 2) // dialable only: still before unknown in last-resort mode
			got, err := f.sel.Select(Request{Protocol: ProtocolStore, Shard: shardmesh.Shard{Cluster: 1, Index: 2}, Count: 3, NoPool: true}, f.now)
			require.NoError(t, err)
			require.Len(t, got, tc.want)
			if tc.mode == UnknownShardsLastResort {
				require.Equal(t, known, got[0], "a peer known on the shard before any of unknown shards")
			}
			if tc.mode == UnknownShardsAlongside {
				require.ElementsMatch(t, []peer.ID{u1, u2}, got[:2], "connected first, whatever their shard knowledge")
			}
		})
	}
}

func TestSelectLowestRTTOrdersMeasuredThenUnmeasured(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	ids := make([]peer.ID, 5)
	for i := range ids {
		ids[i] = f.service(i, 1)
	}
	f.connect(ids...)
	f.book.ObserveRTT(peerid.ID(ids[0]), 90*time.Millisecond, f.now)
	f.book.ObserveRTT(peerid.ID(ids[1]), 30*time.Millisecond, f.now)
	f.book.ObserveRTT(peerid.ID(ids[2]), 60*time.Millisecond, f.now)
	req := Request{Protocol: ProtocolLightPush, Shard: shardmesh.Shard{Cluster: 1, Index: 1}, Count: 4, Policy: PolicyLowestRTT, NoPool: true}
	got, err := f.sel.Select(req, f.now)
	require.NoError(t, err)
	require.Equal(t, []peer.ID{ids[1], ids[2], ids[0]}, got[:3])
	require.Contains(t, ids[3:], got[3], "unmeasured after measured")

	js := JSWakuSelectorPreset()
	g := newSelFixture(t, js)
	for i := range ids {
		g.service(i, 1)
	}
	g.connect(ids...)
	g.book.ObserveRTT(peerid.ID(ids[0]), 90*time.Millisecond, g.now)
	g.book.ObserveRTT(peerid.ID(ids[1]), 30*time.Millisecond, g.now)
	got, err = g.sel.Select(req, g.now)
	require.NoError(t, err)
	require.ElementsMatch(t, ids[2:], got[:3], "js-waku sorts a missing ping (-1) first")
	require.Equal(t, ids[1], got[3])
}

func TestSelectLowestRTTPrefersConnectedTier(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	fast, slow := f.service(0, 1), f.service(1, 1)
	f.book.ObserveRTT(peerid.ID(fast), time.Millisecond, f.now) // measured earlier, now disconnected
	f.connect(slow)
	f.book.ObserveRTT(peerid.ID(slow), time.Second, f.now)
	req := Request{Protocol: ProtocolStore, Shard: shardmesh.Shard{Cluster: 1, Index: 1}, Count: 2, Policy: PolicyLowestRTT, NoPool: true}
	got, err := f.sel.Select(req, f.now)
	require.NoError(t, err)
	require.Equal(t, []peer.ID{slow, fast}, got)
}

func TestSelectPinnedFirst(t *testing.T) {
	cfg := DefaultSelectorConfig()
	const pinned = peer.ID("pinned-store")
	for i := range cfg.Protocols {
		if cfg.Protocols[i].Protocol == ProtocolStore {
			cfg.Protocols[i].Pinned = []peer.ID{pinned}
			cfg.Protocols[i].Policy = PolicyPinnedFirst
			cfg.Protocols[i].PoolSize = 2
		}
	}
	f := newSelFixture(t, cfg)
	other := f.service(0, 4)
	f.connect(other)
	got := f.selectN(ProtocolStore, 4, 2)
	require.Equal(t, []peer.ID{pinned, other}, got, "the pinned node first, even unknown to the book and on no shard")
	require.True(t, f.sel.Pool(ProtocolStore, shardmesh.Shard{Cluster: 1, Index: 4})[0].Pinned)

	// A pinned peer that fails is replaced and cooled down like any other.
	f.report(pinned, ProtocolStore, OutcomeTimeout)
	f.report(pinned, ProtocolStore, OutcomeTimeout)
	require.Equal(t, []peer.ID{other}, f.pool(ProtocolStore, 4))
	f.advance(3 * time.Minute)
	require.Equal(t, []peer.ID{pinned, other}, f.selectN(ProtocolStore, 4, 2), "back first after its cooldown")
}

func TestSelectStickyPoolKeepsPeersUntilTheyFail(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	for i := range 3 {
		f.connect(f.service(i, 0))
	}
	first := f.selectN(ProtocolFilter, 0, 0)
	require.Len(t, first, 2)
	for i := 3; i < 10; i++ {
		f.connect(f.service(i, 0))
	}
	for range 20 {
		require.Equal(t, first, f.selectN(ProtocolFilter, 0, 0))
	}
	// Another shard has its own pool; the same peer may serve both.
	f.service(20, 1)
	require.NotEqual(t, first, f.selectN(ProtocolFilter, 1, 1))
}

func TestSelectGrowsPoolToLargestCount(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	for i := range 4 {
		f.connect(f.service(i, 0))
	}
	two := f.selectN(ProtocolLightPush, 0, 2)
	three := f.selectN(ProtocolLightPush, 0, 3)
	require.Equal(t, two, three[:2], "existing members first")
	require.Equal(t, three[:1], f.selectN(ProtocolLightPush, 0, 1))
	require.Len(t, f.pool(ProtocolLightPush, 0), 3)
}

func TestSelectExclusionsCompleteTheAnswerWithoutChangingThePool(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	for i := range 4 {
		f.connect(f.service(i, 0))
	}
	pool := f.selectN(ProtocolLightPush, 0, 2)
	req := ForShard(ProtocolLightPush, shardmesh.Shard{Cluster: 1, Index: 0}, 2)
	req.Exclude = []peer.ID{pool[0]}
	got, err := f.sel.Select(req, f.now)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, pool[1], got[0])
	require.NotContains(t, got, pool[0])
	require.Equal(t, pool, f.pool(ProtocolLightPush, 0), "exclusions do not touch the pool")
}

func TestReplacementLightPushAfterOneFailure(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	for i := range 3 {
		f.connect(f.service(i, 0))
	}
	pool := f.selectN(ProtocolLightPush, 0, 2)
	f.events()
	f.report(pool[0], ProtocolLightPush, OutcomeUnavailable)
	now := f.pool(ProtocolLightPush, 0)
	require.Len(t, now, 2)
	require.NotContains(t, now, pool[0])
	ev := f.events()
	require.Len(t, ev, 1)
	require.Equal(t, EventPeerReplaced, ev[0].Kind)
	require.Equal(t, pool[0], ev[0].Peer)
	require.Equal(t, OutcomeUnavailable, ev[0].Outcome)
	require.NotEmpty(t, ev[0].Replacement)
	require.Equal(t, 2, ev[0].Live)
	_, cooling := f.sel.CoolingDownUntil(pool[0], ProtocolLightPush, f.now)
	require.True(t, cooling)
	_, cooling = f.sel.CoolingDownUntil(pool[0], ProtocolFilter, f.now)
	require.False(t, cooling, "cooldown is per protocol")
}

func TestReplacementFilterRules(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	for i := range 4 {
		f.connect(f.service(i, 0))
	}
	pool := f.selectN(ProtocolFilter, 0, 2)
	a, b := pool[0], pool[1]

	f.report(a, ProtocolFilter, OutcomeFilterPingFailed)
	require.Contains(t, f.pool(ProtocolFilter, 0), a, "one ping failure is tolerated")
	f.report(a, ProtocolFilter, OutcomeSuccess)
	f.report(a, ProtocolFilter, OutcomeFilterPingFailed)
	require.Contains(t, f.pool(ProtocolFilter, 0), a, "a success reset the count")
	f.report(a, ProtocolFilter, OutcomeFilterPingFailed)
	require.NotContains(t, f.pool(ProtocolFilter, 0), a, "two consecutive ping failures replace")

	f.report(b, ProtocolFilter, OutcomeFilterSubscribeFailed)
	require.NotContains(t, f.pool(ProtocolFilter, 0), b, "one failed subscribe replaces")
	require.Len(t, f.pool(ProtocolFilter, 0), 2)

	c := f.pool(ProtocolFilter, 0)[0]
	f.report(c, ProtocolFilter, OutcomeRejected)
	f.report(c, ProtocolFilter, OutcomeRejected)
	require.Contains(t, f.pool(ProtocolFilter, 0), c, "a rejected request is not the peer's fault")
}

func TestReplacementStoreAfterTwoFailuresAndRateLimitAtOnce(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	for i := range 3 {
		f.connect(f.service(i, 0))
	}
	s := f.selectN(ProtocolStore, 0, 1)[0]
	f.report(s, ProtocolStore, OutcomeTimeout)
	require.Equal(t, []peer.ID{s}, f.pool(ProtocolStore, 0))
	f.report(s, ProtocolStore, OutcomeServerError)
	require.NotContains(t, f.pool(ProtocolStore, 0), s)
	until, _ := f.sel.CoolingDownUntil(s, ProtocolStore, f.now)
	require.Equal(t, f.now.Add(defaultServiceCooldown), until)

	r := f.selectN(ProtocolStore, 0, 1)[0]
	f.report(r, ProtocolStore, OutcomeRateLimited)
	require.NotContains(t, f.pool(ProtocolStore, 0), r, "429 replaces at once")
	until, _ = f.sel.CoolingDownUntil(r, ProtocolStore, f.now)
	require.Equal(t, f.now.Add(defaultRateLimitCooldown), until, "with the rate-limit backoff")

	// A store connection closing is not a failure.
	last := f.selectN(ProtocolStore, 0, 1)[0]
	f.disconnect(last)
	require.Equal(t, []peer.ID{last}, f.pool(ProtocolStore, 0))
	require.Zero(t, f.sel.Failures(last, ProtocolStore))
}

func TestCooldownExpiryMakesPeerEligibleAgain(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	only := f.service(0, 0)
	f.connect(only)
	require.Equal(t, []peer.ID{only}, f.selectN(ProtocolLightPush, 0, 1))
	f.report(only, ProtocolLightPush, OutcomeTimeout)
	require.Empty(t, f.pool(ProtocolLightPush, 0))
	err := f.selectErr(ForShard(ProtocolLightPush, shardmesh.Shard{Cluster: 1, Index: 0}, 1))
	require.ErrorIs(t, err, ErrAllInBackoff)
	var se *SelectionError
	require.ErrorAs(t, err, &se)
	require.Equal(t, f.now.Add(defaultServiceCooldown), se.RetryAt)

	f.advance(defaultServiceCooldown - time.Second)
	require.ErrorIs(t, f.selectErr(ForShard(ProtocolLightPush, shardmesh.Shard{Cluster: 1, Index: 0}, 1)), ErrAllInBackoff)
	f.events()
	f.advance(time.Second)
	require.Equal(t, []peer.ID{only}, f.pool(ProtocolLightPush, 0), "Tick refills the short pool when the cooldown ends")
	kinds := []SelectorEventKind{}
	for _, e := range f.events() {
		kinds = append(kinds, e.Kind)
	}
	require.Contains(t, kinds, EventPoolRestored)
}

func TestDisconnectCountsAsFailurePerProtocolRule(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	for i := range 4 {
		f.connect(f.service(i, 0, 1))
	}
	push := f.selectN(ProtocolLightPush, 0, 2)
	filt := f.selectN(ProtocolFilter, 0, 2)
	f.selectN(ProtocolFilter, 1, 2) // the same peer may sit in pools of two shards
	victim := push[0]
	inFilter := slices.Contains(filt, victim)
	f.disconnect(victim)
	require.NotContains(t, f.pool(ProtocolLightPush, 0), victim, "light push replaces on a lost connection")
	if inFilter {
		require.Contains(t, f.pool(ProtocolFilter, 0), victim, "filter tolerates one failure")
		require.Equal(t, 1, f.sel.Failures(victim, ProtocolFilter), "counted once although in pools of two shards")
	}
}

func TestReleaseWhenPeerLeavesShard(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	a, b := f.service(0, 0), f.service(1, 0)
	f.connect(a, b)
	pool := f.selectN(ProtocolLightPush, 0, 1)
	mover := pool[0]
	f.events()
	f.book.MetadataReceived(peerid.ID(mover), 1, shards(7), f.now)
	f.sel.PeerUpdated(mover, f.now)
	require.NotContains(t, f.pool(ProtocolLightPush, 0), mover)
	ev := f.events()
	require.Equal(t, EventPeerReleased, ev[0].Kind)
	require.Equal(t, mover, ev[0].Peer)
	_, cooling := f.sel.CoolingDownUntil(mover, ProtocolLightPush, f.now)
	require.False(t, cooling, "released, not punished")
}

func TestTypedErrorsSayWhyNothingIsEligible(t *testing.T) {
	on := func(s uint16) shardmesh.Shard { return shardmesh.Shard{Cluster: 1, Index: s} }
	f := newSelFixture(t, DefaultSelectorConfig())
	require.ErrorIs(t, f.selectErr(ForShard("/x/unknown/1", on(0), 1)), ErrUntrackedProtocol)
	require.ErrorIs(t, f.selectErr(ForShard(ProtocolLightPush, on(0), 1)), ErrNoPeerSupportsProtocol)
	a := f.service(0, 3)
	err := f.selectErr(ForShard(ProtocolLightPush, on(0), 1))
	require.ErrorIs(t, err, ErrNoPeerOnShard)
	require.ErrorIs(t, err, ErrNoEligiblePeer)
	req := ForShard(ProtocolLightPush, on(3), 1)
	req.Exclude = []peer.ID{a}
	require.ErrorIs(t, f.selectErr(req), ErrAllExcluded)
	f.book.DialFailed(peerid.ID(a), f.now.Add(time.Minute), f.now)
	err = f.selectErr(ForShard(ProtocolLightPush, on(3), 1))
	require.ErrorIs(t, err, ErrAllInBackoff)
	var se *SelectionError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 1, se.InBackoff)
	require.Equal(t, f.now.Add(time.Minute), se.RetryAt)

	g := newSelFixture(t, JSWakuSelectorPreset())
	g.service(0, 3)
	require.ErrorIs(t, g.selectErr(ForShard(ProtocolLightPush, on(3), 1)), ErrNoConnectedPeer)

	require.ErrorIs(t, f.selectErr(ForShard(ProtocolLightPush, shardmesh.Shard{Cluster: 2, Index: 3}, 1)), ErrInvalidRequest)
	require.ErrorIs(t, f.selectErr(ForPubsubTopic(ProtocolLightPush, "/waku/2/rs/1", 1)), ErrInvalidRequest)
	require.ErrorIs(t, f.selectErr(ForShard(ProtocolLightPush, on(3), maxSelect+1)), ErrInvalidRequest)
}

func TestRequestByTopics(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	ct := "/toychat/2/huilong/proto"
	s, err := shardmesh.AutoShard(ct, 1, 8)
	require.NoError(t, err)
	a := f.service(0, s.Index)
	f.connect(a)
	got, err := f.sel.Select(ForContentTopic(ProtocolFilter, ct, 1), f.now)
	require.NoError(t, err)
	require.Equal(t, []peer.ID{a}, got)
	got, err = f.sel.Select(ForPubsubTopic(ProtocolFilter, s.PubsubTopic(), 1), f.now)
	require.NoError(t, err)
	require.Equal(t, []peer.ID{a}, got)

	cfg := DefaultSelectorConfig()
	cfg.AutoshardingShards = 0
	g := newSelFixture(t, cfg)
	require.ErrorIs(t, g.selectErr(ForContentTopic(ProtocolFilter, ct, 1)), ErrInvalidRequest)
}

func TestLightClientHealthPerShard(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	s0 := shardmesh.Shard{Cluster: 1, Index: 0}
	require.Equal(t, LightHealthUnknown, f.sel.Health(s0))
	ids := []peer.ID{f.service(0, 0), f.service(1, 0), f.service(2, 0)}
	f.connect(ids[0])
	f.selectN(ProtocolFilter, 0, 2)
	require.Equal(t, LightUnhealthy, f.sel.Health(s0), "no light-push peer")
	f.selectN(ProtocolLightPush, 0, 2)
	require.Equal(t, LightMinimallyHealthy, f.sel.Health(s0), "one live peer each")
	f.connect(ids[1:]...)
	require.Equal(t, LightSufficientlyHealthy, f.sel.Health(s0))
	var got []LightHealth
	for _, e := range f.events() {
		if e.Kind == EventHealthChanged {
			got = append(got, e.Health)
		}
	}
	require.Equal(t, []LightHealth{LightUnhealthy, LightMinimallyHealthy, LightSufficientlyHealthy}, got)

	cfg := DefaultSelectorConfig()
	cfg.HealthLightPushPeers = 0 // receive-only client
	g := newSelFixture(t, cfg)
	g.connect(g.service(0, 0), g.service(1, 0))
	g.selectN(ProtocolFilter, 0, 2)
	require.Equal(t, LightSufficientlyHealthy, g.sel.Health(s0))
}

func TestPoolDegradedAndRestoredEvents(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	a := f.service(0, 0)
	f.connect(a)
	f.selectN(ProtocolFilter, 0, 2)
	ev := f.events()
	require.Equal(t, EventPoolDegraded, ev[0].Kind)
	require.Equal(t, 1, ev[0].Live)
	require.Equal(t, 2, ev[0].Target)
	f.connect(f.service(1, 0))
	var kinds []SelectorEventKind
	for _, e := range f.events() {
		kinds = append(kinds, e.Kind)
	}
	require.Contains(t, kinds, EventPoolRestored, "a new peer refills the short pool at once")
	require.Len(t, f.pool(ProtocolFilter, 0), 2)
}

func TestSelectIsDeterministicForASeed(t *testing.T) {
	run := func() []peer.ID {
		f := newSelFixture(t, DefaultSelectorConfig())
		for i := range 30 {
			f.connect(f.service(i, uint16(i%3)))
		}
		var out []peer.ID
		for s := range uint16(3) {
			out = append(out, f.selectN(ProtocolLightPush, s, 2)...)
			f.report(out[len(out)-1], ProtocolLightPush, OutcomeTimeout)
			out = append(out, f.pool(ProtocolLightPush, s)...)
		}
		return out
	}
	require.Equal(t, run(), run())
}

func TestNotStickyProtocolDrawsAnew(t *testing.T) {
	f := newSelFixture(t, GoWakuSelectorPreset())
	for i := range 10 {
		f.service(i, 0)
	}
	seen := map[peer.ID]bool{}
	for range 50 {
		got := f.selectN(ProtocolLightPush, 0, 1)
		seen[got[0]] = true
	}
	require.Greater(t, len(seen), 5, "go-waku draws a random peer per request, connected or not")
	require.Nil(t, f.sel.Pool(ProtocolLightPush, shardmesh.Shard{Cluster: 1, Index: 0}))
}

func TestPresetsValidateAndDiffer(t *testing.T) {
	for _, cfg := range []SelectorConfig{DefaultSelectorConfig(), JSWakuSelectorPreset(), GoWakuSelectorPreset()} {
		require.NoError(t, cfg.Validate(), cfg.Name)
		_, err := NewSelectorCore(newTestBook(t), cfg)
		require.NoError(t, err, cfg.Name)
	}
	bad := DefaultSelectorConfig()
	bad.Protocols[0].PoolSize = 0
	require.ErrorIs(t, bad.Validate(), ErrInvalidSelectorConfig)
	bad = DefaultSelectorConfig()
	bad.Protocols[0].Replace.Counted |= OutcomesOf(OutcomeSuccess)
	require.ErrorIs(t, bad.Validate(), ErrInvalidSelectorConfig)
	bad = DefaultSelectorConfig()
	bad.UnknownShards = 0
	require.ErrorIs(t, bad.Validate(), ErrInvalidSelectorConfig)
	_, err := NewSelectorCore(newTestBook(t), func() SelectorConfig { c := DefaultSelectorConfig(); c.Cluster = 16; return c }())
	require.ErrorIs(t, err, ErrInvalidSelectorConfig)
}

func TestOutcomeOfStatus(t *testing.T) {
	for code, want := range map[uint32]Outcome{200: OutcomeSuccess, 204: OutcomeSuccess, 400: OutcomeRejected, 413: OutcomeRejected,
		420: OutcomeRejected, 421: OutcomeUnsupportedTopic, 429: OutcomeRateLimited, 500: OutcomeServerError,
		503: OutcomeUnavailable, 504: OutcomeRejected, 505: OutcomeUnavailable} {
		require.Equal(t, want, OutcomeOfStatus(code), "%d", code)
	}
	for o := range numOutcomes {
		back, ok := ParseOutcome(o.String())
		require.True(t, ok)
		require.Equal(t, o, back)
	}
	require.False(t, errors.Is(nil, ErrNoEligiblePeer))
}

func TestPoolMembersAreKeptInTheBook(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	a := f.service(0, 0)
	f.selectN(ProtocolStore, 0, 1)
	require.True(t, f.book.Get(peerid.ID(a)).Kept())
	f.report(a, ProtocolStore, OutcomeRateLimited)
	require.False(t, f.book.Get(peerid.ID(a)).Kept(), "released everywhere: no longer pinned in the book")
	f.selectN(ProtocolLightPush, 0, 1)
	f.sel.Release(ProtocolLightPush, shardmesh.Shard{Cluster: 1, Index: 0})
	require.False(t, f.book.Get(peerid.ID(a)).Kept())
	require.Nil(t, f.sel.Pool(ProtocolLightPush, shardmesh.Shard{Cluster: 1, Index: 0}))
}

// TestPoolMemberReleasedWhenItsMetadataExpires: a store peer whose metadata
// put it on shard 0 stays in the shard-0 pool after losing its connection
// (store tolerates that); once its metadata expires (6 h) its ENR says shard
// 7 only, and Tick releases it from the pool.
func TestPoolMemberReleasedWhenItsMetadataExpires(t *testing.T) {
	f := newSelFixture(t, DefaultSelectorConfig())
	a := f.service(0, 7)
	f.connect(a)
	f.book.MetadataReceived(peerid.ID(a), 1, shards(0), f.now)
	f.sel.PeerUpdated(a, f.now)
	require.Equal(t, []peer.ID{a}, f.selectN(ProtocolStore, 0, 1))
	f.disconnect(a)
	require.Contains(t, f.pool(ProtocolStore, 0), a, "test premise: store keeps a member that lost its connection")
	f.events()
	f.advance(book.DefaultMetadataTTL - time.Second)
	require.Contains(t, f.pool(ProtocolStore, 0), a, "released before its metadata expired")
	f.advance(time.Second)
	require.NotContains(t, f.pool(ProtocolStore, 0), a)
	ev := f.events()
	require.NotEmpty(t, ev)
	require.Equal(t, EventPeerReleased, ev[0].Kind)
	require.Equal(t, a, ev[0].Peer)
}
