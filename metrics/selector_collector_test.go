package metrics

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// The selector shell is what a light client registers; a bare Core has the
// same Stats (under its owner's lock).
var (
	_ SelectorSource = (*selector.Selector)(nil)
	_ SelectorSource = (*selection.Core)(nil)
)

// selectorFixture: three service peers on shard 0, two connected; filter
// and light-push pools of two; one light-push peer replaced after a 503.
func selectorFixture(t *testing.T) *selector.Selector {
	t.Helper()
	sel, err := selector.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sel.Close() })
	shards, _ := shardmesh.ShardSetOf(0)
	for _, id := range []peerid.ID{"a", "b", "c"} {
		if err := sel.AddPeer(book.DiscoveredPeer{ID: id, HasENR: true, Cluster: 1, HasShards: true, Shards: shards,
			Caps: shardmesh.CapFilter | shardmesh.CapLightPush}); err != nil {
			t.Fatal(err)
		}
	}
	sel.PeerConnected("a", book.Outbound, netip.Addr{})
	sel.PeerConnected("b", book.Outbound, netip.Addr{})
	s0 := shardmesh.Shard{Cluster: 1, Index: 0}
	ctx := context.Background()
	if _, err := sel.Select(ctx, selection.ForShard(protocols.FilterSubscribe, s0, 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := sel.Select(ctx, selection.ForShard(protocols.LightPush, s0, 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := sel.Select(ctx, selection.ForShard(protocols.Store, s0, 1)); !errors.Is(err, selection.ErrNoPeerSupportsProtocol) {
		t.Fatalf("store: %v", err)
	}
	if err := sel.Report("a", protocols.LightPush, selection.OutcomeUnavailable); err != nil {
		t.Fatal(err)
	}
	return sel
}

func TestSelectorCollectorExposition(t *testing.T) {
	c, err := NewSelectorCollector(selectorFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	const lp, fl, st = "/vac/waku/lightpush/3.0.0", "/vac/waku/filter-subscribe/2.0.0-beta1", "/vac/waku/store-query/3.0.0"
	want := `
# HELP wakupm_selector_selections_total Service-peer selections by protocol and result (full, partial, none).
# TYPE wakupm_selector_selections_total counter
wakupm_selector_selections_total{protocol="` + st + `",result="none"} 1
wakupm_selector_selections_total{protocol="` + fl + `",result="full"} 1
wakupm_selector_selections_total{protocol="` + lp + `",result="full"} 1
# HELP wakupm_selector_outcomes_total Reported outcomes of using a service peer, by protocol and outcome.
# TYPE wakupm_selector_outcomes_total counter
wakupm_selector_outcomes_total{outcome="unavailable",protocol="` + lp + `"} 1
# HELP wakupm_selector_replacements_total Service peers taken out of a pool, by protocol and reason (the outcome, or released when no longer eligible).
# TYPE wakupm_selector_replacements_total counter
wakupm_selector_replacements_total{protocol="` + lp + `",reason="unavailable"} 1
# HELP wakupm_selector_pool_members Members of the sticky pool of a (protocol, shard).
# TYPE wakupm_selector_pool_members gauge
wakupm_selector_pool_members{cluster="1",protocol="` + st + `",shard="0"} 0
wakupm_selector_pool_members{cluster="1",protocol="` + fl + `",shard="0"} 2
wakupm_selector_pool_members{cluster="1",protocol="` + lp + `",shard="0"} 2
# HELP wakupm_selector_pool_live_members Connected members of the sticky pool of a (protocol, shard).
# TYPE wakupm_selector_pool_live_members gauge
wakupm_selector_pool_live_members{cluster="1",protocol="` + st + `",shard="0"} 0
wakupm_selector_pool_live_members{cluster="1",protocol="` + fl + `",shard="0"} 2
wakupm_selector_pool_live_members{cluster="1",protocol="` + lp + `",shard="0"} 1
# HELP wakupm_selector_light_health Light-client health per shard from live filter and light-push pool members: 0 unhealthy, 1 minimally, 2 sufficiently healthy.
# TYPE wakupm_selector_light_health gauge
wakupm_selector_light_health{cluster="1",shard="0"} 1
# HELP wakupm_selector_notifications_dropped_total Selector notifications dropped because the client did not read them in time.
# TYPE wakupm_selector_notifications_dropped_total counter
wakupm_selector_notifications_dropped_total 0
`
	names := []string{"wakupm_selector_selections_total", "wakupm_selector_outcomes_total", "wakupm_selector_replacements_total",
		"wakupm_selector_pool_members", "wakupm_selector_pool_live_members", "wakupm_selector_light_health",
		"wakupm_selector_notifications_dropped_total"}
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(c, "wakupm_selector_pool_target"); n != 3 {
		t.Fatalf("pool target series: %d, want 3", n)
	}
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Gather(); err != nil {
		t.Fatal(err)
	}
}

func TestSelectorCollectorOptions(t *testing.T) {
	if _, err := NewSelectorCollector(nil); !isOptionError(err) {
		t.Fatalf("nil source: %v", err)
	}
	sel := selectorFixture(t)
	if _, err := NewSelectorCollector(sel, WithSelectorConstLabels(prometheus.Labels{"shard": "x"})); !isOptionError(err) {
		t.Fatalf("reserved label: %v", err)
	}
	if _, err := NewSelectorCollector(sel, nil); !isOptionError(err) {
		t.Fatalf("nil option: %v", err)
	}
	c, err := NewSelectorCollector(sel, WithSelectorConstLabels(prometheus.Labels{"node": "7"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(`
# HELP wakupm_selector_notifications_dropped_total Selector notifications dropped because the client did not read them in time.
# TYPE wakupm_selector_notifications_dropped_total counter
wakupm_selector_notifications_dropped_total{node="7"} 0
`), "wakupm_selector_notifications_dropped_total"); err != nil {
		t.Fatal(err)
	}
}
