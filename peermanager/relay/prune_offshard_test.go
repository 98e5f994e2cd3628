package relay

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// offShardFixture: a core on shard 1 with floor 2 and targets of 2 inbound,
// 2 outbound; peer 1 (inbound or outbound) advertises shards 1-3 in its
// metadata, and one honest peer of the same direction serves shard 1, so
// that the direction is at its target.
func offShardFixture(t *testing.T, dir book.Direction, mutate func(*Config)) (*Core, time.Time) {
	t.Helper()
	cfg := WakupmPreset()
	cfg.ShardFloor, cfg.ShardOutboundFloor, cfg.UnhealthyExtra, cfg.UnhealthyExtraMax = 2, 0, 0, 0
	cfg.InboundTarget, cfg.OutboundTarget, cfg.OutboundQuota = 2, 2, 2
	cfg.OnDemandDiscovery = false
	if mutate != nil {
		mutate(&cfg)
	}
	core, now := subscribedCore(t, cfg, 1), t0
	for i, on := range []shardmesh.ShardSet{shards(1, 2, 3), shards(1)} {
		id := pid(i + 1)
		core.Step(PeerConnected{ID: id, Direction: dir, IP: netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)})}, now)
		core.Step(PeerIdentified{ID: id, Protocols: []string{protocols.Relay}}, now)
		core.Step(MetadataReceived{ID: id, Cluster: cfg.Cluster, Shards: on}, now)
	}
	if total, _ := core.ConnectedOnShard(twn(1)); total != 2 {
		t.Fatalf("fixture: %d peers on shard 1, want 2", total)
	}
	return core, now.Add(cfg.GossipsubTopicsGrace)
}

func disconnected(actions []Action, id peerid.ID) (DisconnectReason, bool) {
	i := slices.IndexFunc(actions, func(a Action) bool { return a.Kind == ActDisconnect && a.Peer == id })
	if i < 0 {
		return ReasonNone, false
	}
	return actions[i].Reason, true
}

// TestEvictOffShard: once peer 1 announces none of our shards, shard 1 is
// short and its direction at target, so it goes, in either direction;
// nothing else makes it go.
func TestEvictOffShard(t *testing.T) {
	for _, tc := range []struct {
		name   string
		dir    book.Direction
		mutate func(*Config)
		before func(*Core, time.Time) // events before the announcement
		shards shardmesh.ShardSet     // what peer 1 announces
		evict  bool
	}{
		{name: "inbound at target", dir: book.Inbound, evict: true},
		{name: "outbound at quota", dir: book.Outbound, evict: true},
		{name: "announces another shard", dir: book.Outbound, shards: shards(7), evict: true},
		{name: "announces ours", dir: book.Outbound, shards: shards(1)},
		{name: "inbound below target", dir: book.Inbound, mutate: func(c *Config) { c.InboundTarget = 3 }},
		{name: "outbound below target", dir: book.Outbound, mutate: func(c *Config) { c.OutboundTarget, c.OutboundQuota = 3, 3 }},
		{name: "no short shard", dir: book.Inbound, mutate: func(c *Config) { c.ShardFloor = 1 }},
		{name: "rule off", dir: book.Inbound, mutate: func(c *Config) { c.EvictOffShard = false }},
		{name: "service peer", dir: book.Inbound, before: func(c *Core, now time.Time) {
			c.Step(ServicePeerChanged{ID: pid(1), InUse: true}, now)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			core, now := offShardFixture(t, tc.dir, tc.mutate)
			if tc.before != nil {
				tc.before(core, now)
			}
			acts := core.Step(TopicsAnnounced{ID: pid(1), Shards: tc.shards}, now)
			reason, gone := disconnected(acts, pid(1))
			if gone != tc.evict || (gone && reason != ReasonOffShard) {
				t.Fatalf("actions %v: peer 1 disconnected %v (%v), want %v", acts, gone, reason, tc.evict)
			}
			if _, gone := disconnected(acts, pid(2)); gone {
				t.Fatalf("actions %v: the honest peer went", acts)
			}
		})
	}
}

// TestEvictOffShardNeedsAnnouncement: metadata naming none of our shards,
// or an announcement heard before the grace, is not evidence.
func TestEvictOffShardNeedsAnnouncement(t *testing.T) {
	core, now := offShardFixture(t, book.Inbound, nil)
	for _, step := range []struct {
		what string
		ev   Event
		at   time.Time
	}{
		{"an announcement within the grace", TopicsAnnounced{ID: pid(1)}, now.Add(-time.Second)},
		{"metadata off our shards", MetadataReceived{ID: pid(1), Cluster: shardmesh.ClusterTWN, Shards: shards(9)}, now},
		{"a tick", Tick{}, now.Add(time.Minute)},
	} {
		if acts := core.Step(step.ev, step.at); slices.ContainsFunc(acts, func(a Action) bool { return a.Kind == ActDisconnect }) {
			t.Fatalf("%s: %v", step.what, acts)
		}
	}
}

// TestEvictOffShardOnlyInWakupmPreset: the reproductions of nwaku and
// go-waku keep their behaviour, and the rule cannot be switched on without
// its evidence.
func TestEvictOffShardOnlyInWakupmPreset(t *testing.T) {
	for name, mk := range Presets() {
		if got, want := mk().EvictOffShard, name == "wakupm"; got != want {
			t.Errorf("%s: EvictOffShard %v, want %v", name, got, want)
		}
	}
	cfg := GoWakuPreset()
	cfg.EvictOffShard = true
	if err := cfg.Validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("EvictOffShard without TrustGossipsubTopics: %v", err)
	}
}

// TestSilentPeerStopsCountingBeforeItsGrace: a peer that has announced
// none of our shards 1 s into its connection (GossipsubTopicsCountAfter)
// no longer holds up the floor, so the node dials a replacement at once;
// it is evicted only when the whole grace has passed. An announcement
// naming our shard keeps it counted.
func TestSilentPeerStopsCountingBeforeItsGrace(t *testing.T) {
	for _, tc := range []struct {
		name   string
		after  time.Duration
		shards shardmesh.ShardSet
		dial   bool
	}{
		{name: "silent after 1 s", after: time.Second, dial: true},
		{name: "announces ours", after: time.Second, shards: shards(1)},
		{name: "rule off", after: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := WakupmPreset()
			cfg.ShardFloor, cfg.ShardOutboundFloor, cfg.UnhealthyExtra, cfg.UnhealthyExtraMax = 1, 0, 0, 0
			cfg.OnDemandDiscovery, cfg.GossipsubTopicsCountAfter = false, tc.after
			cfg.OutboundTarget, cfg.OutboundQuota = 1, 1
			core, now := subscribedCore(t, cfg, 1), t0
			core.Step(PeerConnected{ID: pid(1), Direction: book.Outbound, IP: netip.AddrFrom4([4]byte{10, 0, 0, 1})}, now)
			core.Step(PeerIdentified{ID: pid(1), Protocols: []string{protocols.Relay}}, now)
			core.Step(MetadataReceived{ID: pid(1), Cluster: cfg.Cluster, Shards: shards(1, 2, 3)}, now)
			h := enrPeer(2, shardmesh.ClusterTWN, shardmesh.CapRelay, 1)
			h.IP = netip.AddrFrom4([4]byte{10, 0, 0, 2})
			if got := dialled(core.Step(PeerDiscovered{Peer: h}, now)); len(got) != 0 {
				t.Fatalf("dialled %v with the floor met", got)
			}
			// Before CountAfter, an empty announcement (the hello not yet
			// in) changes nothing.
			if acts := core.Step(TopicsAnnounced{ID: pid(1), Shards: tc.shards}, now.Add(500*time.Millisecond)); len(dialled(acts)) != 0 {
				t.Fatalf("at 0.5 s: %v", acts)
			}
			acts := core.Step(TopicsAnnounced{ID: pid(1), Shards: tc.shards}, now.Add(1500*time.Millisecond))
			if got := dialled(acts); (len(got) == 1 && got[0] == pid(2)) != tc.dial {
				t.Fatalf("at 1.5 s: actions %v, want a dial of peer 2: %v", acts, tc.dial)
			}
			if _, gone := disconnected(acts, pid(1)); gone {
				t.Fatalf("at 1.5 s: evicted within the grace: %v", acts)
			}
		})
	}
}
