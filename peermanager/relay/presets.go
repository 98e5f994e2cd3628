package relay

import (
	"time"

	"github.com/wakupm/wakupm/shardmesh"
)

// Gossipsub degrees of Waku relay (29/WAKU2-CONFIG; nwaku
// waku/waku_relay/protocol.nim): the shard floor is Dlo and its outbound
// part Dout as go-libp2p-pubsub >= v0.15 accepts it with D=6 (Dout < D/2).
const (
	wakuDlo  = 4
	wakuDout = 2
)

// Global relay targets for a 50-connection node, the CLI default of both
// nwaku and go-waku (nwaku
// waku/node/peer_manager/peer_manager.nim:1038-1132 at 7d1c6aba; go-waku
// cmd/waku/flags.go:31 at 84a4b1be). The slots budget replaces them.
const (
	defaultInboundTarget  = 20
	defaultOutboundTarget = 10
)

// DefaultConfig returns wakupm's relay policy for The Waku Network (cluster
// 1); set Cluster for another. It is WakupmPreset.
func DefaultConfig() Config { return WakupmPreset() }

// WakupmPreset is our policy: per-shard floors of Dlo connected relay peers
// (Dout of them outbound) on every subscribed shard, greedy dialling by
// coverage of under-floor shards, Lighthouse-style pruning that never takes
// a shard under its floor, capped exponential backoff with jitter that
// resets on success and on coming back online, and deduplicated on-demand
// discovery.
func WakupmPreset() Config {
	return Config{
		Name:               "wakupm",
		Cluster:            shardmesh.ClusterTWN,
		Seed:               1,
		ShardFloor:         wakuDlo,
		ShardOutboundFloor: wakuDout,
		// Dhi-D: while the mesh is not healthy, aim between Dlo and D so
		// gossipsub has peers to graft without overshooting Dhi.
		UnhealthyExtra: 2,
		// Up to Dhi+2 (10) connected peers while the mesh will not form:
		// with only Dhi, peers that all refuse our grafts (at their own
		// Dhi, or in prune backoff) kept a shard of the churn soak below
		// Dlo for a whole minute in 4 of 5 hour-long runs (0 of 7 with
		// 10; go test ./peermanager -run TestManagerChurnSoak -soak=1h).
		UnhealthyExtraMax: 6,
		InboundTarget:     defaultInboundTarget,
		OutboundTarget:    defaultOutboundTarget,
		OutboundQuota:     defaultOutboundTarget,
		DialHeadroom:      0.1,

		Dial:             DialByCoverage,
		MaxDialsInFlight: 8,
		// nwaku's DefaultDialTimeout (pm.nim); QUIC handshakes finish well
		// within it.
		DialTimeout: 10 * time.Second,
		// ... but a dial still in flight after 3 s (several round trips
		// of a slow link) no longer holds up its shards: under churn
		// most such dials are to peers that have left.
		DialCountsFor:   3 * time.Second,
		CandidateSample: 16,
		// nwaku DefaultColocationLimit and go-waku's per-IP limit are 5
		// (nwaku peer_manager.nim DefaultColocationLimit; go-waku
		// waku/v2/node/wakuoptions.go:50), as Lighthouse's banned-peers-per-IP.
		ColocationLimit: 5,
		// A /64 is the usual IPv6 assignment of one host or line (the
		// slots pools group IPv6 the same way).
		ColocationIPv6Bits: 64,
		DialOnEvents:       true,
		DialOnSubscribe:    true,

		Prune:      PruneByCoverage,
		PruneGrace: 10 * time.Second,
		// gossipsub's prune backoff (1 min: libp2p/specs pubsub/gossipsub
		// gossipsub-v1.1.md "PruneBackoff"; nwaku and go-waku keep it): a peer we
		// just pruned would refuse our graft anyway.
		PruneCooldown: time.Minute,
		// Limit-driven closes come within milliseconds of the handshake;
		// a peer that prunes us later has still served us.
		EarlyCloseWindow: 10 * time.Second,
		// Peers that advertise shards they never join (simulator's
		// liars) must not fill the floors.
		TrustGossipsubTopics: true,
		// A hello takes one round trip after the stream opens; 5 s leaves
		// room for slow links and a busy peer.
		GossipsubTopicsGrace: 5 * time.Second,
		// ... but a peer silent for 1 s stops holding up our floors: a
		// peer advertising every shard and joining none then costs a
		// short shard 1 s per round instead of 5 (the simulator's liars).
		GossipsubTopicsCountAfter: 500 * time.Millisecond,
		// Such peers hold no slot a short shard needs.
		EvictOffShard: true,
		// ... and, once one is seen, broad claims are not taken at face
		// value: an honest peer on a few of our shards is dialled before
		// one claiming them all. Ten minutes outlasts a liar wave's
		// rounds; the Manager's book forgets misfits' announcements
		// with their metadata.
		DistrustBroadClaims: 10 * time.Minute,
		// Under churn most failed dials are to peers that have left.
		DeferFailedUnseen: true,
		ProtectFloorPeers: true,

		Backoff: Backoff{
			Initial:        10 * time.Second,
			Factor:         2,
			Max:            10 * time.Minute,
			Jitter:         JitterProportional,
			JitterFraction: 0.25,
			ResetOnSuccess: true,
			ResetOnOnline:  true,
			// 10+20+40+80+160+320+600+600 s: about half an hour of failures.
			ForgetAfter: 8,
		},

		OnDemandDiscovery: true,
		DiscoveryBatch:    2 * wakuDlo,
		DiscoveryDedup:    true,
		DiscoveryTimeout:  30 * time.Second,

		MetadataFailure: DisconnectOnTWN,
		TickInterval:    5 * time.Second,
	}
}

// NwakuPreset reproduces nwaku's default relay peer management
// (waku/node/peer_manager/peer_manager.nim at 7d1c6aba):
// one global outbound target filled from random dialable peers of any shard,
// inbound excess closed in list order (its connection table's hash order,
// not by age) at once and every loop, outbound never
// pruned, backoff 120 s × 4^(n-1) without jitter and no retry after 5
// failures, no on-demand discovery, peers failing metadata or over the IP
// colocation limit (oldest first) disconnected and deleted. The loop sleeps
// 30 s scaled by the deficit, at least 1 s. Targets: 50 connections,
// relay 60 % → 30, outbound 30 div 3 = 10, inbound 20.
func NwakuPreset() Config {
	return Config{
		Name:           "nwaku",
		Cluster:        shardmesh.ClusterTWN,
		Seed:           1,
		InboundTarget:  defaultInboundTarget,
		OutboundTarget: defaultOutboundTarget,

		Dial:                 DialGlobalRandom,
		MaxDialsInFlight:     10,               // MaxParallelDials
		DialTimeout:          10 * time.Second, // DefaultDialTimeout
		CandidateSample:      16,
		ColocationLimit:      5, // DefaultColocationLimit
		ColocationDropOldest: true,

		Prune:                 PruneInboundExcess,
		InboundCheckOnConnect: true,
		// The first N of connectedPeers, a table walked in hash order
		// (pm.nim:1006-1015, :482-496), not the oldest.
		InboundPruneOrder: ArbitraryOrder,

		Backoff: Backoff{
			Initial:        120 * time.Second, // InitialBackoffInSec
			Factor:         4,                 // BackoffFactor
			Max:            120 * 64 * time.Second,
			Jitter:         JitterNone,
			ResetOnSuccess: true,
			GiveUpAfter:    5, // MaxFailedAttempts
		},

		MetadataFailure: AlwaysDisconnect,
		ForgetMisfits:   true,
		TickInterval:    30 * time.Second, // ConnectivityLoopInterval
		DynamicTick:     true,
	}
}

// NwakuShardedPreset is NwakuPreset with --relay-shard-manager
// (manageRelayPeers, pm.nim:812-895): per shard, targets are the global
// ones divided by the number of subscribed shards (integer division: zero
// beyond 10 shards for outbound 10), peers counted by ENR shards only
// (hasShard reads the ENR book, waku_peer_store.nim:164-165; the shards
// onPeerMetadata stores go to a ShardBook nothing counts, pm.nim:661-664),
// inbound excess summed over shards.
func NwakuShardedPreset() Config {
	c := NwakuPreset()
	c.Name = "nwaku-sharded"
	c.Dial = DialDividedTargets
	c.Prune = PruneInboundDivided
	return c
}

// GoWakuPreset reproduces go-waku's relay peer management
// (waku/v2/peermanager at 84a4b1be): every 15 s, per
// subscribed shard, dial candidates while the connected peers on the shard
// are fewer than the global outbound target or the mesh is below
// shardmesh.SufficientlyHealthy; a peer is on the shards it advertised plus
// those of ours it joined in gossipsub, less those it left; on-demand
// discovery of 2 peers when there is no candidate, not deduplicated; inbound
// excess closed in list order (a Go map's), outbound never pruned; at most 5
// dials in flight, 20 s timeout; go-libp2p exponential backoff 5^n s with
// full jitter in [1 min, 1 h], never reset; unsubscribing closes peers whose
// only shard it was; with a cluster configured, peers failing metadata,
// relay peers without shards, and peers joining one of our topics whose
// metadata lists none of our shards are disconnected and removed from the
// peer store.
// Targets: 50 connections, relay 50 - 50/5 = 40, outbound max(40/3, 10) = 13,
// inbound 27.
func GoWakuPreset() Config {
	const out = 13
	return Config{
		Name:           "gowaku",
		Cluster:        shardmesh.ClusterTWN,
		Seed:           1,
		InboundTarget:  27,
		OutboundTarget: out,

		Dial:                DialPerTopicGlobalTarget,
		MaxDialsInFlight:    min(out, 5), // maxActiveDials
		DialTimeout:         20 * time.Second,
		CandidateSample:     16,
		ColocationLimit:     5, // node/wakuoptions.go:50, enforced by the gater
		DialOnSubscribe:     true,
		DialDiscoveredBelow: out,

		Prune: PruneInboundExcess,
		// From index InPeersTarget on of a list built from a Go map
		// (pruneInRelayConns, peer_manager.go:519-537; the list from
		// GroupPeersByDirection over Peerstore().Peers()), not the newest.
		InboundPruneOrder: ArbitraryOrder,

		Backoff: Backoff{
			// getBackOff: NewExponentialBackoff(1 min, 1 h, FullJitter, 1 s, 5.0)
			Initial: time.Minute,
			Factor:  5,
			Unit:    time.Second,
			Max:     time.Hour,
			Jitter:  JitterFull,
		},

		OnDemandDiscovery: true,
		DiscoveryBatch:    2,

		UnsubscribeDisconnects: true,
		// WakuMetadata.Connected (protocol/metadata/waku_metadata.go:227-283):
		// with a cluster configured, a failed request, a missing cluster id,
		// another cluster or a relay peer with no shard disconnects, and
		// disconnectPeer (:217-224) removes the peer from the peer store.
		MetadataFailure:              DisconnectWithCluster,
		DisconnectRelayWithoutShards: true,
		ForgetMisfits:                true,
		// handlerPeerTopicEvent (peermanager/topic_event_handler.go:124-163):
		// on PEER_JOINED of one of our topics, DisconnectPeerOnShardMismatch
		// (waku_metadata.go:329-351), then AddPubSubTopic; PEER_LEFT
		// removes the topic. go-waku's per-topic count (PeersByPubSubTopic)
		// starts from the topics discovery gave (ENR), not metadata; the
		// book's advertised shards (metadata, else ENR) stand for them.
		GossipsubJoinsAddShards:   true,
		DisconnectOnShardMismatch: true,
		TickInterval:              15 * time.Second, // peerConnectivityLoopSecs
	}
}

// Presets returns every named preset, for the conformance suite and the
// simulator.
func Presets() map[string]func() Config {
	return map[string]func() Config{
		"wakupm":        WakupmPreset,
		"nwaku":         NwakuPreset,
		"nwaku-sharded": NwakuShardedPreset,
		"gowaku":        GoWakuPreset,
	}
}
