package selection

import (
	"time"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// Defaults of our selector policy.
const (
	// p2p-reliability (waku-org/specs standards/application/p2p-reliability.md)
	// recommends two light-push and two filter service nodes at a time, and
	// its health suggestion counts two of each as sufficient.
	defaultLightPushPool = 2
	defaultFilterPool    = 2
	// A store query runs on one node and its cursor stays there (status-go
	// store_client.go): the pool is that node.
	defaultStorePool = 1
	// 2 min: status-go's store selector backs a failed node off for 2 min
	// (pkg/messaging/waku/store_selector.go, PR #7532). Long enough that a
	// dead node is not retried on every request, short enough that a small
	// fleet of service nodes heals.
	defaultBench = 2 * time.Minute
	// 10 s: status-go backs a store node off 10 s after a 429
	// (go-waku api/history/cycle.go), the per-peer window of nwaku's
	// limiter for a 1 s period (period × 10, request_limiter.nim:34-39).
	defaultRateLimitBench = 10 * time.Second
	// 5 s: the connections one network change takes down end within a
	// few seconds of each other (status-go closes them all at once,
	// wakuv2/waku.go handleNetworkChangeFromApp); a loss that is still
	// unexplained after that is the peer's. It delays a light-push
	// replacement by at most this much (plus a Tick), while the other pool
	// member keeps serving.
	defaultDisconnectGrace = 5 * time.Second
	// Shards of The Waku Network for autosharding (64/WAKU2-NETWORK).
	twnAutoshardingShards = 8
)

// DefaultConfig returns our service-peer selection for The Waku Network
// (cluster 1); set Cluster (and AutoshardingShards) for another. It is
// WakupmPreset.
func DefaultConfig() Config { return WakupmPreset() }

// WakupmPreset is our configuration: sticky pools per (protocol, shard),
// connected peers first, peers of unknown shards as a last resort, and the
// replacement rules of the p2p-reliability spec: light push replaces a peer
// after 1 failure (lost connection, timeout, 421, 500, 503/505, no
// response), filter after 2 consecutive failures (ping) or 1 failed
// subscribe, store after 2 failures; a 429 replaces at once with a short
// backoff; a replaced peer is benched for the protocol for 2 min. A lost
// connection counts only when the client was online throughout the 5 s
// that follow it and did not cause it (SetOnline, ExpectDisconnect).
func WakupmPreset() Config {
	immediate := OutcomesOf(OutcomeUnsupportedTopic, OutcomeRateLimited)
	// Store and peer-exchange connections are opened per request and may be
	// trimmed between requests: losing one is not a failure.
	transient := PeerFailures &^ OutcomesOf(OutcomeDisconnected, OutcomePingFailed)
	return Config{
		Name:    "wakupm",
		Cluster: shardmesh.ClusterTWN,
		Seed:    1,
		Protocols: []ProtocolConfig{
			{
				Protocol: protocols.LightPush, PoolSize: defaultLightPushPool, Sticky: true, Policy: PolicyConnectedFirst,
				Replace: ReplacementRule{MaxFailures: 1, Counted: PeerFailures, Immediate: immediate,
					BenchFor: defaultBench, RateLimitBenchFor: defaultRateLimitBench},
			},
			{
				Protocol: protocols.FilterSubscribe, PoolSize: defaultFilterPool, Sticky: true, Policy: PolicyConnectedFirst,
				Replace: ReplacementRule{MaxFailures: 2, Counted: PeerFailures,
					Immediate: immediate | OutcomesOf(OutcomeFilterSubscribeFailed),
					BenchFor:  defaultBench, RateLimitBenchFor: defaultRateLimitBench},
			},
			{
				Protocol: protocols.Store, PoolSize: defaultStorePool, Sticky: true, Policy: PolicyLowestRTT,
				Replace: ReplacementRule{MaxFailures: 2, Counted: transient, Immediate: immediate,
					BenchFor: defaultBench, RateLimitBenchFor: defaultRateLimitBench},
			},
			{
				Protocol: protocols.PeerExchange, PoolSize: 1, Sticky: true, Policy: PolicyConnectedFirst,
				Replace: ReplacementRule{MaxFailures: 1, Counted: transient, Immediate: immediate,
					BenchFor: defaultBench, RateLimitBenchFor: defaultRateLimitBench},
			},
		},
		Fallback: ProtocolConfig{
			PoolSize: 1, Sticky: true, Policy: PolicyConnectedFirst,
			Replace: ReplacementRule{MaxFailures: 2, Counted: PeerFailures, Immediate: immediate,
				BenchFor: defaultBench, RateLimitBenchFor: defaultRateLimitBench},
		},
		UnknownShards:        UnknownShardsLastResort,
		HealthFilterPeers:    defaultFilterPool,
		HealthLightPushPeers: defaultLightPushPool,
		AutoshardingShards:   twnAutoshardingShards,
		DisconnectGrace:      defaultDisconnectGrace,
	}
}

// JSWakuPreset reproduces js-waku's service-peer choices
// (waku-org/js-waku 84a6ea69, packages/sdk/src):
//   - peer_manager.ts: connected peers only, sorted by ping with a missing
//     ping first (connection_manager/utils.ts getPeerPing returns -1), on the
//     shard or without shard information, numPeersToUse 2 for every
//     protocol; returned peers are locked (sticky) and renewPeer leaves a
//     peer out for 10 s;
//   - light push: any non-200 status is REMOTE_PEER_REJECTED and renews the
//     peer (retry_manager.ts, light_push/utils.ts), timeouts too;
//   - filter: keep-alive ping every 60 s, a peer is dropped after 3 failed
//     pings (filter.ts pingsBeforePeerRenewed) without renewPeer, so with no
//     bench time; a failed subscribe keeps the peer;
//   - store: takes the first peer and never renews it;
//   - health: Sufficiently with 2 filter and 2 light-push peers
//     (health_indicator.ts), counted here per shard.
//
// js-waku's locks are global and never released on disconnect (js-waku#2120);
// here a disconnected member of a connected-only pool is released without
// benching, which is the closest behaviour a correct pool can have.
func JSWakuPreset() Config {
	const (
		numPeersToUse          = 2
		renewBench             = 10 * time.Second
		pingsBeforePeerRenewed = 3
	)
	rtt := func(id ProtocolConfig) ProtocolConfig {
		id.PoolSize, id.Sticky, id.Policy = numPeersToUse, true, PolicyLowestRTT
		return id
	}
	return Config{
		Name:    "js-waku",
		Cluster: shardmesh.ClusterTWN,
		Seed:    1,
		Protocols: []ProtocolConfig{
			rtt(ProtocolConfig{Protocol: protocols.LightPush, Replace: ReplacementRule{
				MaxFailures: 1,
				Counted: OutcomesOf(OutcomeTimeout, OutcomeDialFailed, OutcomeUnsupportedTopic, OutcomeRateLimited,
					OutcomeServerError, OutcomeUnavailable, OutcomeRejected),
				BenchFor: renewBench, RateLimitBenchFor: renewBench,
			}}),
			rtt(ProtocolConfig{Protocol: protocols.FilterSubscribe, Replace: ReplacementRule{
				MaxFailures: pingsBeforePeerRenewed, Counted: OutcomesOf(OutcomeFilterPingFailed),
			}}),
			rtt(ProtocolConfig{Protocol: protocols.Store}),
		},
		Fallback:             rtt(ProtocolConfig{}),
		UnknownShards:        UnknownShardsAlongside,
		ConnectedOnly:        true,
		UnmeasuredRTTFirst:   true,
		HealthFilterPeers:    2,
		HealthLightPushPeers: 2,
		AutoshardingShards:   twnAutoshardingShards,
	}
}

// GoWakuPreset reproduces go-waku's service-peer choices
// (waku-org/go-waku 84a4b1be, waku/v2):
//   - peermanager/peer_selection.go SelectRandom: a draw in Go map order
//     over peers with the protocol whose topics include the shard (peers
//     without topics never match), connected or not (not connection-aware
//     before PR #1309), with no memory between calls for light push and
//     store (lightpush DefaultOptions: WithMaxPeers(1));
//   - a light-push peer is removed from the peer store after more than 2
//     dial failures (lightpush/waku_lightpush.go:198-206 calls
//     CheckAndRemoveBadPeer, peermanager/peer_manager.go:261-270,
//     maxDialFailures :106), modelled as a 1 h bench, the cap of go-waku's
//     dial backoff, standing for "until rediscovered";
//   - a store peer never is: a failed store dial only calls HandleDialError
//     (store/client.go:320-325), whose backoff (peer_manager.go:746-756)
//     holds back the relay connector, not SelectRandom, so the store peer
//     is drawn as before. The store-node cycle that status-go drives
//     (api/history/cycle.go: one active node, 2 failed requests graylist it
//     for 3 min, a 429 backs it off 10 s) is an application layer above
//     this selection and not part of the preset;
//   - filter (status-go: MinPeersForFilter 2, api/filter MaxPeers): sticky
//     subscriptions, closed when a ping and its immediate retry both fail
//     (protocol/filter/filter_health_check.go), the failed peer excluded
//     from the next resubscribe only (api/filter/filter.go);
//   - no light-client health (go-waku reports relay mesh health only).
func GoWakuPreset() Config {
	const (
		maxDialFailures    = 2
		removedPeerBackoff = time.Hour
		filterMaxPeers     = 2
	)
	dialFailures := ReplacementRule{MaxFailures: maxDialFailures + 1, Counted: OutcomesOf(OutcomeDialFailed),
		BenchFor: removedPeerBackoff, RateLimitBenchFor: removedPeerBackoff}
	return Config{
		Name:    "go-waku",
		Cluster: shardmesh.ClusterTWN,
		Seed:    1,
		Protocols: []ProtocolConfig{
			{Protocol: protocols.LightPush, PoolSize: 1, Policy: PolicyRandom, Replace: dialFailures},
			{Protocol: protocols.FilterSubscribe, PoolSize: filterMaxPeers, Sticky: true, Policy: PolicyRandom,
				Replace: ReplacementRule{MaxFailures: 2, Counted: OutcomesOf(OutcomeFilterPingFailed)}},
			{Protocol: protocols.Store, PoolSize: 1, Policy: PolicyRandom},
		},
		Fallback:           ProtocolConfig{PoolSize: 1, Policy: PolicyRandom, Replace: dialFailures},
		UnknownShards:      UnknownShardsNever,
		AutoshardingShards: twnAutoshardingShards,
	}
}

// Presets returns the named selector configurations, for the conformance
// suite and the examples: "wakupm" (ours), "status" (ours for a
// status-go-like client), "jswaku", "gowaku".
func Presets() map[string]func() Config {
	return map[string]func() Config{
		"wakupm": WakupmPreset,
		"status": StatusPreset,
		"jswaku": JSWakuPreset,
		"gowaku": GoWakuPreset,
	}
}
