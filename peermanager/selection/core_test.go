package selection

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// selFixture is a book of cluster 1 and a selector over it.
type selFixture struct {
	t    *testing.T
	book *book.Book
	sel  *Core
	now  time.Time
}

func newSelFixture(t *testing.T, cfg Config) *selFixture {
	t.Helper()
	book := newTestBook(t, book.WithTrackedProtocols(TrackedProtocols(cfg)...))
	sel, err := NewCore(book, cfg)
	require.NoError(t, err)
	return &selFixture{t: t, book: book, sel: sel, now: t0}
}

const svcCaps = shardmesh.CapFilter | shardmesh.CapLightPush | shardmesh.CapStore

// service adds peer i advertising the service capabilities on shards idx
// (by ENR) and returns its id.
func (f *selFixture) service(i int, idx ...uint16) peerid.ID {
	f.t.Helper()
	_, err := f.book.Discover(enrPeer(i, 1, svcCaps, idx...), f.now)
	require.NoError(f.t, err)
	f.sel.PeerUpdated(pid(i), f.now)
	return pid(i)
}

// unknownShards adds peer i with service capabilities and no shard entry.
func (f *selFixture) unknownShards(i int) peerid.ID {
	f.t.Helper()
	_, err := f.book.Discover(book.DiscoveredPeer{ID: pid(i), Origin: book.OriginPeerExchange, HasENR: true, Cluster: 1, Caps: svcCaps}, f.now)
	require.NoError(f.t, err)
	f.sel.PeerUpdated(pid(i), f.now)
	return pid(i)
}

func (f *selFixture) connect(ids ...peerid.ID) {
	for _, id := range ids {
		f.book.Connected(id, book.Outbound, netip.Addr{}, f.now)
		f.sel.PeerUpdated(id, f.now)
	}
}

func (f *selFixture) disconnect(ids ...peerid.ID) {
	for _, id := range ids {
		f.book.Disconnected(id, f.now)
		f.sel.PeerUpdated(id, f.now)
	}
}

func (f *selFixture) advance(d time.Duration) {
	f.now = f.now.Add(d)
	f.sel.Tick(f.now)
}

func (f *selFixture) selectN(proto string, shard uint16, n int) []peerid.ID {
	f.t.Helper()
	got, err := f.sel.Select(ForShard(proto, shardmesh.Shard{Cluster: 1, Index: shard}, n), f.now)
	require.NoError(f.t, err)
	return got
}

func (f *selFixture) selectErr(req Request) error {
	_, err := f.sel.Select(req, f.now)
	return err
}

func (f *selFixture) report(id peerid.ID, proto string, o Outcome) {
	f.t.Helper()
	require.NoError(f.t, f.sel.Report(id, proto, o, f.now))
}

func (f *selFixture) pool(proto string, shard uint16) []peerid.ID {
	var out []peerid.ID
	for _, m := range f.sel.Pool(proto, shardmesh.Shard{Cluster: 1, Index: shard}) {
		out = append(out, m.ID)
	}
	return out
}

func (f *selFixture) notifications() []Notification { return slices.Clone(f.sel.Notifications()) }

func TestSelectConnectedFirstNeverPicksDialableWhileConnectedSuffice(t *testing.T) {
	cfg := DefaultConfig()
	seen := map[peerid.ID]int{}
	for seed := range uint64(200) {
		cfg.Seed = seed
		f := newSelFixture(t, cfg)
		var conn []peerid.ID
		for i := range 8 {
			id := f.service(i, 3)
			if i < 3 {
				conn = append(conn, id)
			}
		}
		f.connect(conn...)
		got, err := f.sel.Select(Request{Protocol: protocols.LightPush, Shard: shardmesh.Shard{Cluster: 1, Index: 3}, NoPool: true}, f.now)
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
	f := newSelFixture(t, DefaultConfig())
	c := f.service(0, 3)
	f.connect(c)
	d1, d2 := f.service(1, 3), f.service(2, 3)
	f.book.DialFailed(peerid.ID(d2), f.now.Add(time.Minute), f.now)
	got := f.selectN(protocols.LightPush, 3, 3)
	require.Equal(t, c, got[0], "the connected peer comes first")
	require.ElementsMatch(t, []peerid.ID{c, d1}, got, "the peer in dial backoff is not eligible")
}

func TestSelectEligibilityRules(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	good := f.service(0, 5)
	_, err := f.book.Discover(enrPeer(1, 1, shardmesh.CapRelay, 5), f.now) // no service capability
	require.NoError(t, err)
	_, err = f.book.Discover(enrPeer(2, 2, svcCaps, 5), f.now) // other cluster
	require.NoError(t, err)
	f.service(3, 6) // other shard
	identifiedOut := f.service(4, 5)
	f.connect(pid(1), pid(2), pid(3), identifiedOut, good)
	// identify wins over the ENR: peer 4 turns out not to serve light push.
	f.book.Identified(peerid.ID(identifiedOut), []string{protocols.FilterSubscribe}, f.now)
	f.sel.PeerUpdated(identifiedOut, f.now)
	require.Equal(t, []peerid.ID{good}, f.selectN(protocols.LightPush, 5, 4))
	require.ElementsMatch(t, []peerid.ID{good, identifiedOut}, f.selectN(protocols.FilterSubscribe, 5, 4))
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
			cfg := DefaultConfig()
			cfg.UnknownShards = tc.mode
			f := newSelFixture(t, cfg)
			u1, u2 := f.unknownShards(10), f.unknownShards(11)
			f.connect(u1, u2)
			known := f.service(0, 2) // dialable only: still before unknown in last-resort mode
			got, err := f.sel.Select(Request{Protocol: protocols.Store, Shard: shardmesh.Shard{Cluster: 1, Index: 2}, Count: 3, NoPool: true}, f.now)
			require.NoError(t, err)
			require.Len(t, got, tc.want)
			if tc.mode == UnknownShardsLastResort {
				require.Equal(t, known, got[0], "a peer known on the shard before any of unknown shards")
			}
			if tc.mode == UnknownShardsAlongside {
				require.ElementsMatch(t, []peerid.ID{u1, u2}, got[:2], "connected first, whatever their shard knowledge")
			}
		})
	}
}

func TestSelectLowestRTTOrdersMeasuredThenUnmeasured(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	ids := make([]peerid.ID, 5)
	for i := range ids {
		ids[i] = f.service(i, 1)
	}
	f.connect(ids...)
	f.book.ObserveRTT(peerid.ID(ids[0]), 90*time.Millisecond, f.now)
	f.book.ObserveRTT(peerid.ID(ids[1]), 30*time.Millisecond, f.now)
	f.book.ObserveRTT(peerid.ID(ids[2]), 60*time.Millisecond, f.now)
	req := Request{Protocol: protocols.LightPush, Shard: shardmesh.Shard{Cluster: 1, Index: 1}, Count: 4, Policy: PolicyLowestRTT, NoPool: true}
	got, err := f.sel.Select(req, f.now)
	require.NoError(t, err)
	require.Equal(t, []peerid.ID{ids[1], ids[2], ids[0]}, got[:3])
	require.Contains(t, ids[3:], got[3], "unmeasured after measured")

	js := JSWakuPreset()
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
	f := newSelFixture(t, DefaultConfig())
	fast, slow := f.service(0, 1), f.service(1, 1)
	f.book.ObserveRTT(peerid.ID(fast), time.Millisecond, f.now) // measured earlier, now disconnected
	f.connect(slow)
	f.book.ObserveRTT(peerid.ID(slow), time.Second, f.now)
	req := Request{Protocol: protocols.Store, Shard: shardmesh.Shard{Cluster: 1, Index: 1}, Count: 2, Policy: PolicyLowestRTT, NoPool: true}
	got, err := f.sel.Select(req, f.now)
	require.NoError(t, err)
	require.Equal(t, []peerid.ID{slow, fast}, got)
}

func TestSelectPinnedFirst(t *testing.T) {
	cfg := DefaultConfig()
	const pinned = peerid.ID("pinned-store")
	for i := range cfg.Protocols {
		if cfg.Protocols[i].Protocol == protocols.Store {
			cfg.Protocols[i].Pinned = []peerid.ID{pinned}
			cfg.Protocols[i].Policy = PolicyPinnedFirst
			cfg.Protocols[i].PoolSize = 2
		}
	}
	f := newSelFixture(t, cfg)
	other := f.service(0, 4)
	f.connect(other)
	got := f.selectN(protocols.Store, 4, 2)
	require.Equal(t, []peerid.ID{pinned, other}, got, "the pinned node first, even unknown to the book and on no shard")
	require.True(t, f.sel.Pool(protocols.Store, shardmesh.Shard{Cluster: 1, Index: 4})[0].Pinned)

	// A pinned peer that fails is replaced and benched like any other.
	f.report(pinned, protocols.Store, OutcomeTimeout)
	f.report(pinned, protocols.Store, OutcomeTimeout)
	require.Equal(t, []peerid.ID{other}, f.pool(protocols.Store, 4))
	f.advance(3 * time.Minute)
	require.Equal(t, []peerid.ID{pinned, other}, f.selectN(protocols.Store, 4, 2), "back first after its bench")
}

func TestSelectStickyPoolKeepsPeersUntilTheyFail(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	for i := range 3 {
		f.connect(f.service(i, 0))
	}
	first := f.selectN(protocols.FilterSubscribe, 0, 0)
	require.Len(t, first, 2)
	for i := 3; i < 10; i++ {
		f.connect(f.service(i, 0))
	}
	for range 20 {
		require.Equal(t, first, f.selectN(protocols.FilterSubscribe, 0, 0))
	}
	// Another shard has its own pool; the same peer may serve both.
	f.service(20, 1)
	require.NotEqual(t, first, f.selectN(protocols.FilterSubscribe, 1, 1))
}

func TestSelectGrowsPoolToLargestCount(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	for i := range 4 {
		f.connect(f.service(i, 0))
	}
	two := f.selectN(protocols.LightPush, 0, 2)
	three := f.selectN(protocols.LightPush, 0, 3)
	require.Equal(t, two, three[:2], "existing members first")
	require.Equal(t, three[:1], f.selectN(protocols.LightPush, 0, 1))
	require.Len(t, f.pool(protocols.LightPush, 0), 3)
}

func TestSelectExclusionsCompleteTheAnswerWithoutChangingThePool(t *testing.T) {
	f := newSelFixture(t, DefaultConfig())
	for i := range 4 {
		f.connect(f.service(i, 0))
	}
	pool := f.selectN(protocols.LightPush, 0, 2)
	req := ForShard(protocols.LightPush, shardmesh.Shard{Cluster: 1, Index: 0}, 2)
	req.Exclude = []peerid.ID{pool[0]}
	got, err := f.sel.Select(req, f.now)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, pool[1], got[0])
	require.NotContains(t, got, pool[0])
	require.Equal(t, pool, f.pool(protocols.LightPush, 0), "exclusions do not touch the pool")
}
