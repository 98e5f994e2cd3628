package selection

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

func TestReplacementLightPushAfterOneFailure(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	for i := range 3 {
		f.connect(f.service(i, 0))
	}
	pool := f.selectN(protocols.LightPush, 0, 2)
	f.notifications()
	f.report(pool[0], protocols.LightPush, OutcomeUnavailable)
	now := f.pool(protocols.LightPush, 0)
	require.Len(t, now, 2)
	require.NotContains(t, now, pool[0])
	ev := f.notifications()
	require.Len(t, ev, 1)
	require.Equal(t, NotifyPeerReplaced, ev[0].Kind)
	require.Equal(t, pool[0], ev[0].Peer)
	require.Equal(t, OutcomeUnavailable, ev[0].Outcome)
	require.NotEmpty(t, ev[0].Replacement)
	require.Equal(t, 2, ev[0].Live)
	_, benched := f.sel.BenchedUntil(pool[0], protocols.LightPush, f.now)
	require.True(t, benched)
	_, benched = f.sel.BenchedUntil(pool[0], protocols.FilterSubscribe, f.now)
	require.False(t, benched, "benching is per protocol")
}

func TestReplacementFilterRules(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	for i := range 4 {
		f.connect(f.service(i, 0))
	}
	pool := f.selectN(protocols.FilterSubscribe, 0, 2)
	a, b := pool[0], pool[1]

	f.report(a, protocols.FilterSubscribe, OutcomeFilterPingFailed)
	require.Contains(t, f.pool(protocols.FilterSubscribe, 0), a, "one ping failure is tolerated")
	f.report(a, protocols.FilterSubscribe, OutcomeSuccess)
	f.report(a, protocols.FilterSubscribe, OutcomeFilterPingFailed)
	require.Contains(t, f.pool(protocols.FilterSubscribe, 0), a, "a success reset the count")
	f.report(a, protocols.FilterSubscribe, OutcomeFilterPingFailed)
	require.NotContains(t, f.pool(protocols.FilterSubscribe, 0), a, "two consecutive ping failures replace")

	f.report(b, protocols.FilterSubscribe, OutcomeFilterSubscribeFailed)
	require.NotContains(t, f.pool(protocols.FilterSubscribe, 0), b, "one failed subscribe replaces")
	require.Len(t, f.pool(protocols.FilterSubscribe, 0), 2)

	c := f.pool(protocols.FilterSubscribe, 0)[0]
	f.report(c, protocols.FilterSubscribe, OutcomeRejected)
	f.report(c, protocols.FilterSubscribe, OutcomeRejected)
	require.Contains(t, f.pool(protocols.FilterSubscribe, 0), c, "a rejected request is not the peer's fault")
}

func TestReplacementStoreAfterTwoFailuresAndRateLimitAtOnce(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	for i := range 3 {
		f.connect(f.service(i, 0))
	}
	s := f.selectN(protocols.Store, 0, 1)[0]
	f.report(s, protocols.Store, OutcomeTimeout)
	require.Equal(t, []peerid.ID{s}, f.pool(protocols.Store, 0))
	f.report(s, protocols.Store, OutcomeServerError)
	require.NotContains(t, f.pool(protocols.Store, 0), s)
	until, _ := f.sel.BenchedUntil(s, protocols.Store, f.now)
	require.Equal(t, f.now.Add(defaultBench), until)

	r := f.selectN(protocols.Store, 0, 1)[0]
	f.report(r, protocols.Store, OutcomeRateLimited)
	require.NotContains(t, f.pool(protocols.Store, 0), r, "429 replaces at once")
	until, _ = f.sel.BenchedUntil(r, protocols.Store, f.now)
	require.Equal(t, f.now.Add(defaultRateLimitBench), until, "with the rate-limit backoff")

	// A store connection closing is not a failure.
	last := f.selectN(protocols.Store, 0, 1)[0]
	f.disconnect(last)
	require.Equal(t, []peerid.ID{last}, f.pool(protocols.Store, 0))
	require.Zero(t, f.sel.Failures(last, protocols.Store))
}

func TestBenchExpiryMakesPeerEligibleAgain(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	only := f.service(0, 0)
	f.connect(only)
	require.Equal(t, []peerid.ID{only}, f.selectN(protocols.LightPush, 0, 1))
	f.report(only, protocols.LightPush, OutcomeTimeout)
	require.Empty(t, f.pool(protocols.LightPush, 0))
	err := f.selectErr(ForShard(protocols.LightPush, shardmesh.Shard{Cluster: 1, Index: 0}, 1))
	require.ErrorIs(t, err, ErrAllInBackoff)
	var se *Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, f.now.Add(defaultBench), se.RetryAt)

	f.advance(defaultBench - time.Second)
	require.ErrorIs(t, f.selectErr(ForShard(protocols.LightPush, shardmesh.Shard{Cluster: 1, Index: 0}, 1)), ErrAllInBackoff)
	f.notifications()
	f.advance(time.Second)
	require.Equal(t, []peerid.ID{only}, f.pool(protocols.LightPush, 0), "Tick refills the short pool when the bench ends")
	kinds := []NotificationKind{}
	for _, e := range f.notifications() {
		kinds = append(kinds, e.Kind)
	}
	require.Contains(t, kinds, NotifyPoolRestored)
}

func TestDisconnectCountsAsFailurePerProtocolRule(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	for i := range 4 {
		f.connect(f.service(i, 0, 1))
	}
	push := f.selectN(protocols.LightPush, 0, 2)
	filt := f.selectN(protocols.FilterSubscribe, 0, 2)
	f.selectN(protocols.FilterSubscribe, 1, 2) // the same peer may sit in pools of two shards
	victim := push[0]
	inFilter := slices.Contains(filt, victim)
	f.disconnect(victim)
	require.Contains(t, f.pool(protocols.LightPush, 0), victim, "not before the disconnect grace")
	f.advance(DefaultConfig().DisconnectGrace)
	require.NotContains(t, f.pool(protocols.LightPush, 0), victim, "light push replaces on a lost connection")
	if inFilter {
		require.Contains(t, f.pool(protocols.FilterSubscribe, 0), victim, "filter tolerates one failure")
		require.Equal(t, 1, f.sel.Failures(victim, protocols.FilterSubscribe), "counted once although in pools of two shards")
	}
}

func TestReleaseWhenPeerLeavesShard(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	a, b := f.service(0, 0), f.service(1, 0)
	f.connect(a, b)
	pool := f.selectN(protocols.LightPush, 0, 1)
	mover := pool[0]
	f.notifications()
	f.book.MetadataReceived(peerid.ID(mover), 1, shards(7), f.now)
	f.sel.PeerUpdated(mover, f.now)
	require.NotContains(t, f.pool(protocols.LightPush, 0), mover)
	ev := f.notifications()
	require.Equal(t, NotifyPeerReleased, ev[0].Kind)
	require.Equal(t, mover, ev[0].Peer)
	_, benched := f.sel.BenchedUntil(mover, protocols.LightPush, f.now)
	require.False(t, benched, "released, not punished")
}

func TestTypedErrorsSayWhyNothingIsEligible(t *testing.T) {
	on := func(s uint16) shardmesh.Shard { return shardmesh.Shard{Cluster: 1, Index: s} }
	f := newSelFixture(t, DefaultConfig())
	require.ErrorIs(t, f.selectErr(ForShard("/x/unknown/1", on(0), 1)), ErrUntrackedProtocol)
	require.ErrorIs(t, f.selectErr(ForShard(protocols.LightPush, on(0), 1)), ErrNoPeerSupportsProtocol)
	a := f.service(0, 3)
	err := f.selectErr(ForShard(protocols.LightPush, on(0), 1))
	require.ErrorIs(t, err, ErrNoPeerOnShard)
	require.ErrorIs(t, err, ErrNoEligiblePeer)
	req := ForShard(protocols.LightPush, on(3), 1)
	req.Exclude = []peerid.ID{a}
	require.ErrorIs(t, f.selectErr(req), ErrAllExcluded)
	f.book.DialFailed(a, f.now.Add(time.Minute), f.now)
	err = f.selectErr(ForShard(protocols.LightPush, on(3), 1))
	require.ErrorIs(t, err, ErrAllInBackoff)
	var se *Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, 1, se.InBackoff)
	require.Equal(t, f.now.Add(time.Minute), se.RetryAt)

	g := newSelFixture(t, JSWakuPreset())
	g.service(0, 3)
	require.ErrorIs(t, g.selectErr(ForShard(protocols.LightPush, on(3), 1)), ErrNoConnectedPeer)

	require.ErrorIs(t, f.selectErr(ForShard(protocols.LightPush, shardmesh.Shard{Cluster: 2, Index: 3}, 1)), ErrInvalidRequest)
	require.ErrorIs(t, f.selectErr(ForPubsubTopic(protocols.LightPush, "/waku/2/rs/1", 1)), ErrInvalidRequest)
	require.ErrorIs(t, f.selectErr(ForShard(protocols.LightPush, on(3), maxSelect+1)), ErrInvalidRequest)
}

func TestRequestByTopics(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	ct := "/toychat/2/huilong/proto"
	s, err := shardmesh.AutoShard(ct, 1, 8)
	require.NoError(t, err)
	a := f.service(0, s.Index)
	f.connect(a)
	got, err := f.sel.Select(ForContentTopic(protocols.FilterSubscribe, ct, 1), f.now)
	require.NoError(t, err)
	require.Equal(t, []peerid.ID{a}, got)
	got, err = f.sel.Select(ForPubsubTopic(protocols.FilterSubscribe, s.PubsubTopic(), 1), f.now)
	require.NoError(t, err)
	require.Equal(t, []peerid.ID{a}, got)

	cfg := DefaultConfig()
	cfg.AutoshardingShards = 0
	g := newSelFixture(t, cfg)
	require.ErrorIs(t, g.selectErr(ForContentTopic(protocols.FilterSubscribe, ct, 1)), ErrInvalidRequest)
}

func TestLightClientHealthPerShard(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	s0 := shardmesh.Shard{Cluster: 1, Index: 0}
	require.Equal(t, LightHealthUnknown, f.sel.Health(s0))
	ids := []peerid.ID{f.service(0, 0), f.service(1, 0), f.service(2, 0)}
	f.connect(ids[0])
	f.selectN(protocols.FilterSubscribe, 0, 2)
	require.Equal(t, LightUnhealthy, f.sel.Health(s0), "no light-push peer")
	f.selectN(protocols.LightPush, 0, 2)
	require.Equal(t, LightMinimallyHealthy, f.sel.Health(s0), "one live peer each")
	f.connect(ids[1:]...)
	require.Equal(t, LightSufficientlyHealthy, f.sel.Health(s0))
	var got []LightHealth
	for _, e := range f.notifications() {
		if e.Kind == NotifyHealthChanged {
			got = append(got, e.Health)
		}
	}
	require.Equal(t, []LightHealth{LightUnhealthy, LightMinimallyHealthy, LightSufficientlyHealthy}, got)

	cfg := DefaultConfig()
	cfg.HealthLightPushPeers = 0 // receive-only client
	g := newSelFixture(t, cfg)
	g.connect(g.service(0, 0), g.service(1, 0))
	g.selectN(protocols.FilterSubscribe, 0, 2)
	require.Equal(t, LightSufficientlyHealthy, g.sel.Health(s0))
}

func TestPoolDegradedAndRestoredNotifications(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	a := f.service(0, 0)
	f.connect(a)
	f.selectN(protocols.FilterSubscribe, 0, 2)
	ev := f.notifications()
	require.Equal(t, NotifyPoolDegraded, ev[0].Kind)
	require.Equal(t, 1, ev[0].Live)
	require.Equal(t, 2, ev[0].Target)
	f.connect(f.service(1, 0))
	var kinds []NotificationKind
	for _, e := range f.notifications() {
		kinds = append(kinds, e.Kind)
	}
	require.Contains(t, kinds, NotifyPoolRestored, "a new peer refills the short pool at once")
	require.Len(t, f.pool(protocols.FilterSubscribe, 0), 2)
}

func TestSelectIsDeterministicForASeed(t *testing.T) {
	run := func() []peerid.ID {
		f := newSelFixture(t, DefaultConfig())
		for i := range 30 {
			f.connect(f.service(i, uint16(i%3)))
		}
		var out []peerid.ID
		for s := range uint16(3) {
			out = append(out, f.selectN(protocols.LightPush, s, 2)...)
			f.report(out[len(out)-1], protocols.LightPush, OutcomeTimeout)
			out = append(out, f.pool(protocols.LightPush, s)...)
		}
		return out
	}
	require.Equal(t, run(), run())
}

func TestNotStickyProtocolDrawsAnew(t *testing.T) {
	f := newSelFixture(t, GoWakuPreset())
	for i := range 10 {
		f.service(i, 0)
	}
	seen := map[peerid.ID]bool{}
	for range 50 {
		got := f.selectN(protocols.LightPush, 0, 1)
		seen[got[0]] = true
	}
	require.Greater(t, len(seen), 5, "go-waku draws a random peer per request, connected or not")
	require.Nil(t, f.sel.Pool(protocols.LightPush, shardmesh.Shard{Cluster: 1, Index: 0}))
}

func TestPresetsValidateAndDiffer(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), JSWakuPreset(), GoWakuPreset()} {
		require.NoError(t, cfg.Validate(), cfg.Name)
		_, err := NewCore(newTestBook(t), cfg)
		require.NoError(t, err, cfg.Name)
	}
	bad := DefaultConfig()
	bad.Protocols[0].PoolSize = 0
	require.ErrorIs(t, bad.Validate(), ErrInvalidConfig)
	bad = DefaultConfig()
	bad.Protocols[0].Replace.Counted |= OutcomesOf(OutcomeSuccess)
	require.ErrorIs(t, bad.Validate(), ErrInvalidConfig)
	bad = DefaultConfig()
	bad.UnknownShards = 0
	require.ErrorIs(t, bad.Validate(), ErrInvalidConfig)
	_, err := NewCore(newTestBook(t), func() Config { c := DefaultConfig(); c.Cluster = 16; return c }())
	require.ErrorIs(t, err, ErrInvalidConfig)
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
	f := newSelFixture(t, DefaultConfig())
	a := f.service(0, 0)
	f.selectN(protocols.Store, 0, 1)
	require.True(t, f.book.Get(a).Kept())
	f.report(a, protocols.Store, OutcomeRateLimited)
	require.False(t, f.book.Get(a).Kept(), "released everywhere: no longer pinned in the book")
	f.selectN(protocols.LightPush, 0, 1)
	f.sel.Release(protocols.LightPush, shardmesh.Shard{Cluster: 1, Index: 0})
	require.False(t, f.book.Get(a).Kept())
	require.Nil(t, f.sel.Pool(protocols.LightPush, shardmesh.Shard{Cluster: 1, Index: 0}))
}

// TestPoolMemberReleasedWhenItsMetadataExpires: a store peer whose metadata
// put it on shard 0 stays in the shard-0 pool after losing its connection
// (store tolerates that); once its metadata expires (6 h) its ENR says shard
// 7 only, and Tick releases it from the pool.
func TestPoolMemberReleasedWhenItsMetadataExpires(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	a := f.service(0, 7)
	f.connect(a)
	f.book.MetadataReceived(a, 1, shards(0), f.now)
	f.sel.PeerUpdated(a, f.now)
	require.Equal(t, []peerid.ID{a}, f.selectN(protocols.Store, 0, 1))
	f.disconnect(a)
	require.Contains(t, f.pool(protocols.Store, 0), a, "test premise: store keeps a member that lost its connection")
	f.notifications()
	f.advance(book.DefaultMetadataTTL - time.Second)
	require.Contains(t, f.pool(protocols.Store, 0), a, "released before its metadata expired")
	f.advance(time.Second)
	require.NotContains(t, f.pool(protocols.Store, 0), a)
	ev := f.notifications()
	require.NotEmpty(t, ev)
	require.Equal(t, NotifyPeerReleased, ev[0].Kind)
	require.Equal(t, a, ev[0].Peer)
}
