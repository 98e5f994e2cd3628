package selection

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

func TestOutcomeOfLightPushV2(t *testing.T) {
	for _, tc := range []struct {
		ok   bool
		info string
		want Outcome
	}{
		{true, "OK", OutcomeSuccess},
		{false, "TOO_MANY_REQUESTS", OutcomeRateLimited},                         // nwaku legacy
		{false, "exceeds the rate limit", OutcomeRateLimited},                    // go-waku
		{false, "Request rejected due to too many requests", OutcomeRateLimited}, // nwaku v3 text
		{false, "invalid request: empty message", OutcomeRejected},
		{false, "Could not publish message: not enough peers to publish", OutcomeUnavailable},
		{false, "Could not publish message: boom", OutcomeServerError},
		{false, "", OutcomeServerError},
	} {
		require.Equal(t, tc.want, OutcomeOfLightPushV2(tc.ok, tc.info), "%v %q", tc.ok, tc.info)
	}
}

func TestStatusPreset(t *testing.T) {
	cfg := StatusPreset()
	require.NoError(t, cfg.Validate())
	require.Equal(t, uint16(16), cfg.Cluster)
	require.Equal(t, []uint16{32, 64}, cfg.Shards)
	v2, listed := cfg.ProtocolConfig(protocols.LightPushLegacy)
	require.True(t, listed)
	require.Equal(t, 2, v2.PoolSize)
	require.True(t, v2.Replace.Immediate.Has(OutcomeRateLimited))
	store, _ := cfg.ProtocolConfig(protocols.Store)
	require.Equal(t, 2, store.Replace.MaxFailures)
	_, listed = cfg.ProtocolConfig("/x/1")
	require.False(t, listed)
	tracked := TrackedProtocols(cfg)
	require.Contains(t, tracked, book.TrackedProtocol{ID: protocols.LightPushLegacy, Cap: shardmesh.CapLightPush})
	require.Len(t, Outcomes(), int(numOutcomes))
	require.Equal(t, OutcomeSuccess, Outcomes()[0])
}

// Declared shards have health before any Select: their filter and
// light-push pools exist and are filled from the book at once.
func TestDeclaredShardsHaveHealthBeforeSelect(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Shards = []uint16{3, 5}
	b := newTestBook(t)
	f := &selFixture{t: t, book: b, now: t0}
	for i := range 2 {
		_, err := b.Discover(enrPeer(i, 1, svcCaps, 3), t0)
		require.NoError(t, err)
	}
	sel, err := NewCoreAt(b, cfg, t0)
	require.NoError(t, err)
	f.sel = sel
	require.Equal(t, LightUnhealthy, sel.Health(shardmesh.Shard{Cluster: 1, Index: 3}), "members not connected yet")
	require.Equal(t, LightUnhealthy, sel.Health(shardmesh.Shard{Cluster: 1, Index: 5}), "no peer at all")
	f.connect(pid(0), pid(1))
	require.Equal(t, LightSufficientlyHealthy, sel.Health(shardmesh.Shard{Cluster: 1, Index: 3}))
	// A request for one peer does not shrink the pool health is judged on.
	f.selectN(protocols.LightPush, 3, 1)
	require.Equal(t, LightSufficientlyHealthy, sel.Health(shardmesh.Shard{Cluster: 1, Index: 3}))
	require.Len(t, sel.Pool(protocols.LightPush, shardmesh.Shard{Cluster: 1, Index: 3}), 2)

	// Declared later; and NewCore declares at the first Tick.
	require.NoError(t, sel.DeclareShard(shardmesh.Shard{Cluster: 1, Index: 7}, t0))
	require.Equal(t, LightUnhealthy, sel.Health(shardmesh.Shard{Cluster: 1, Index: 7}))
	lazy, err := NewCore(b, cfg)
	require.NoError(t, err)
	require.Equal(t, LightHealthUnknown, lazy.Health(shardmesh.Shard{Cluster: 1, Index: 3}))
	lazy.Tick(t0)
	require.Equal(t, LightSufficientlyHealthy, lazy.Health(shardmesh.Shard{Cluster: 1, Index: 3}))
	require.ErrorIs(t, sel.DeclareShard(shardmesh.Shard{Cluster: 2, Index: 1}, t0), ErrInvalidRequest)
}
