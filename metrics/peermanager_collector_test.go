package metrics

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// The Manager is a RelaySource; the assertion lives in a test so that the
// metrics package itself does not link the libp2p shell.
var _ RelaySource = (*peermanager.Manager)(nil)

func relayCoreFixture(t *testing.T) *relay.Core {
	t.Helper()
	cfg := relay.DefaultConfig()
	cfg.DialOnEvents, cfg.DialOnSubscribe = false, false
	core, err := relay.NewCore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(0, 0)
	on2, _ := shardmesh.ShardSetOf(2)
	core.Step(relay.Subscribed{Shard: shardmesh.Shard{Cluster: cfg.Cluster, Index: 2}}, now)
	core.Step(relay.PeerConnected{ID: "a", Direction: book.Outbound, IP: netip.MustParseAddr("192.0.2.1")}, now)
	core.Step(relay.PeerConnected{ID: "b", Direction: book.Inbound, IP: netip.MustParseAddr("192.0.2.2")}, now)
	for _, id := range []string{"a", "b"} {
		core.Step(relay.PeerIdentified{ID: peerid.ID(id), Protocols: []string{protocols.Relay}}, now)
		core.Step(relay.MetadataReceived{ID: peerid.ID(id), Cluster: cfg.Cluster, Shards: on2}, now)
	}
	core.Step(relay.PeerConnected{ID: "c", Direction: book.Inbound, IP: netip.MustParseAddr("192.0.2.3")}, now)
	core.Step(relay.MetadataReceived{ID: "c", Cluster: 7, Shards: on2}, now) // another cluster
	core.Step(relay.PeerDiscovered{Peer: book.DiscoveredPeer{ID: "d", Origin: book.OriginDiscv5,
		HasENR: true, Cluster: cfg.Cluster, HasShards: true, Shards: on2, Caps: shardmesh.CapRelay}}, now)
	core.Step(relay.Tick{}, now) // dials d, asks discovery for shard 2
	return core
}

func TestPeerManagerCollectorSeries(t *testing.T) {
	core := relayCoreFixture(t)
	c, err := NewPeerManagerCollector(core, WithPeerManagerConstLabels(prometheus.Labels{"node": "n1"}))
	if err != nil {
		t.Fatal(err)
	}
	want := `
# HELP wakupm_relay_shard_peers Connected relay peers advertising a subscribed shard, by direction; a peer on several shards counts for each.
# TYPE wakupm_relay_shard_peers gauge
wakupm_relay_shard_peers{cluster="1",direction="inbound",node="n1",shard="2"} 1
wakupm_relay_shard_peers{cluster="1",direction="outbound",node="n1",shard="2"} 1
# HELP wakupm_relay_peers Connected relay peers by direction.
# TYPE wakupm_relay_peers gauge
wakupm_relay_peers{direction="inbound",node="n1"} 1
wakupm_relay_peers{direction="outbound",node="n1"} 1
# HELP wakupm_relay_dials_total Dials of the relay policy by outcome (started, succeeded, failed, expired: never reported back, closed_early: succeeded but the peer closed within the early-close window, counted as failed for backoff).
# TYPE wakupm_relay_dials_total counter
wakupm_relay_dials_total{node="n1",outcome="closed_early"} 0
wakupm_relay_dials_total{node="n1",outcome="expired"} 0
wakupm_relay_dials_total{node="n1",outcome="failed"} 0
wakupm_relay_dials_total{node="n1",outcome="started"} 1
wakupm_relay_dials_total{node="n1",outcome="succeeded"} 0
# HELP wakupm_relay_discovery_requests_total On-demand discovery requests for a shard below its floor.
# TYPE wakupm_relay_discovery_requests_total counter
wakupm_relay_discovery_requests_total{cluster="1",node="n1",shard="2"} 1
# HELP wakupm_peer_book_size Peer records in the peer book.
# TYPE wakupm_peer_book_size gauge
wakupm_peer_book_size{node="n1"} 4
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"wakupm_relay_shard_peers", "wakupm_relay_peers", "wakupm_relay_dials_total",
		"wakupm_relay_discovery_requests_total", "wakupm_peer_book_size"); err != nil {
		t.Fatal(err)
	}
	var disc strings.Builder
	disc.WriteString("# HELP wakupm_relay_disconnects_total Disconnections decided by the relay policy, by reason.\n# TYPE wakupm_relay_disconnects_total counter\n")
	for _, r := range relay.DisconnectReasons() {
		n := 0
		if r == relay.ReasonClusterMismatch {
			n = 1
		}
		fmt.Fprintf(&disc, "wakupm_relay_disconnects_total{node=\"n1\",reason=%q} %d\n", r.String(), n)
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(disc.String()), "wakupm_relay_disconnects_total"); err != nil {
		t.Fatal(err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
}

func TestNewPeerManagerCollectorRejects(t *testing.T) {
	if _, err := NewPeerManagerCollector(nil); err == nil {
		t.Fatal("nil source accepted")
	}
	core := relayCoreFixture(t)
	if _, err := NewPeerManagerCollector(core, WithPeerManagerConstLabels(prometheus.Labels{"shard": "x"})); err == nil {
		t.Fatal("clashing constant label accepted")
	}
}

type relaySnapshotFunc func() relay.Snapshot

func (f relaySnapshotFunc) Snapshot() relay.Snapshot { return f() }

func TestPeerManagerCollectorEventQueue(t *testing.T) {
	c, err := NewPeerManagerCollector(relaySnapshotFunc(func() relay.Snapshot {
		return relay.Snapshot{EventsQueued: 12, EventsDropped: 345}
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := `
# HELP wakupm_relay_events_dropped_total Discovery, RTT, identify and metadata events the Manager's bounded event queue dropped while full.
# TYPE wakupm_relay_events_dropped_total counter
wakupm_relay_events_dropped_total 345
# HELP wakupm_relay_events_queued Entries (one per peer or shard with pending events) in the Manager's event queue, waiting for its loop.
# TYPE wakupm_relay_events_queued gauge
wakupm_relay_events_queued 12
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"wakupm_relay_events_queued", "wakupm_relay_events_dropped_total"); err != nil {
		t.Fatal(err)
	}
}

// TestPeerManagerCollectorPruneSearches: a prune whose greedy order can
// keep the wrong peer (inbound a on shards 1 and 5 or b on 0 and 5, chosen
// at random; only keeping a reaches the target) shows up as a search that
// reached the target, whatever the seed.
func TestPeerManagerCollectorPruneSearches(t *testing.T) {
	rescued := 0
	for seed := range uint64(16) {
		cfg := relay.DefaultConfig()
		cfg.Seed = seed
		cfg.ShardFloor, cfg.ShardOutboundFloor, cfg.UnhealthyExtra = 1, 0, 0
		cfg.InboundTarget, cfg.OutboundTarget, cfg.OutboundQuota = 2, 0, 0
		cfg.PruneGrace = 0
		cfg.DialOnEvents, cfg.DialOnSubscribe, cfg.OnDemandDiscovery = false, false, false
		core, err := relay.NewCore(cfg)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Unix(0, 0)
		peers := []struct {
			id     peerid.ID
			dir    book.Direction
			shards []uint16
		}{
			{"a", book.Inbound, []uint16{1, 5}},
			{"b", book.Inbound, []uint16{0, 5}},
			{"c", book.Outbound, []uint16{1}},
			{"d", book.Outbound, []uint16{0}},
			{"e", book.Inbound, []uint16{0, 3}},
		}
		for i, p := range peers {
			set, _ := shardmesh.ShardSetOf(p.shards...)
			core.Step(relay.PeerConnected{ID: p.id, Direction: p.dir, IP: netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)})}, now)
			core.Step(relay.PeerIdentified{ID: p.id, Protocols: []string{protocols.Relay}}, now)
			core.Step(relay.MetadataReceived{ID: p.id, Cluster: cfg.Cluster, Shards: set}, now)
		}
		for _, s := range []uint16{0, 1, 3, 5} {
			core.Step(relay.Subscribed{Shard: shardmesh.Shard{Cluster: cfg.Cluster, Index: s}}, now)
		}
		core.Step(relay.Tick{}, now.Add(time.Second))
		st := core.Stats()
		if st.PruneSearches != st.PruneSearchRescues {
			t.Fatalf("seed %d: %d searches, %d reached the target: the target is reachable", seed, st.PruneSearches, st.PruneSearchRescues)
		}
		rescued += int(st.PruneSearchRescues)
		c, err := NewPeerManagerCollector(core)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`
# HELP wakupm_relay_prune_searches_total Prune passes whose greedy order fell short of the targets, so that the exact search ran, by result (reached_target: it found removals that reach them; kept_greedy: none exist or the search ran out of budget).
# TYPE wakupm_relay_prune_searches_total counter
wakupm_relay_prune_searches_total{result="kept_greedy"} 0
wakupm_relay_prune_searches_total{result="reached_target"} %d
`, st.PruneSearchRescues)
		if err := testutil.CollectAndCompare(c, strings.NewReader(want), "wakupm_relay_prune_searches_total"); err != nil {
			t.Fatal(err)
		}
		if snap := core.Snapshot(); snap.RelayInbound+snap.RelayOutbound != 2 {
			t.Errorf("seed %d: %d relay peers after pruning, want the target 2", seed, snap.RelayInbound+snap.RelayOutbound)
		}
	}
	if rescued == 0 {
		t.Error("no seed made the greedy keep the wrong peer: the fixture no longer exercises the search")
	}
	t.Logf("the search reached the target for %d of 16 seeds", rescued)
}

// TestPeerManagerCollectorMisreports: a connected peer that advertised
// shard 2 and announces none of it in gossipsub counts as a misreport.
func TestPeerManagerCollectorMisreports(t *testing.T) {
	core := relayCoreFixture(t)
	c, err := NewPeerManagerCollector(core)
	if err != nil {
		t.Fatal(err)
	}
	const head = `
# HELP wakupm_relay_misreports_total Connected relay peers whose gossipsub announcements named none of the subscribed shards they advertised (RFC RELAY-33).
# TYPE wakupm_relay_misreports_total counter
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(head+"wakupm_relay_misreports_total 0\n"), "wakupm_relay_misreports_total"); err != nil {
		t.Fatal(err)
	}
	// The fixture connects "a" at Unix 0; one second later it is past
	// GossipsubTopicsCountAfter.
	core.Step(relay.TopicsAnnounced{ID: "a"}, time.Unix(1, 0))
	if err := testutil.CollectAndCompare(c, strings.NewReader(head+"wakupm_relay_misreports_total 1\n"), "wakupm_relay_misreports_total"); err != nil {
		t.Fatal(err)
	}
}
