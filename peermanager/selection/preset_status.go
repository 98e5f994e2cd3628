package selection

import (
	"time"

	"github.com/wakupm/wakupm/protocols"
)

// Status's network and timings (status-im/status-go, waku-org/go-waku).
const (
	// StatusCluster is Status's cluster (status-go
	// protocol/common/shard/shard.go MainStatusShardCluster).
	StatusCluster = 16
	// StatusDefaultShard and StatusNonProtectedShard are the shards every
	// Status client uses (shard.go DefaultShardIndex and
	// NonProtectedShardIndex); communities add their own.
	StatusDefaultShard      = 32
	StatusNonProtectedShard = 64

	// go-waku's store-node cycle (waku/v2/api/history/cycle.go, used by
	// status-go): a store node failing 2 requests (storenodeMaxFailedRequests)
	// is graylisted for 3 min (graylistBackoff); a 429 backs it off 10 s
	// (defaultBackoff).
	statusStoreFailures = 2
	statusGraylist      = 3 * time.Minute
	statusStoreRate     = 10 * time.Second
	// go-waku api/publish/message_sender.go
	// DefaultPeersToPublishForLightpush: 2 light-push peers per message.
	statusLightPushPeers = 2
	// status-go wakuv2/config.go MinPeersForFilter: 2 filter peers.
	statusFilterPeers = 2
)

// StatusPreset is our selection for a status-go-like light client:
// cluster 16 with shards 32 and 64 declared (health at once), light push
// through v3 and v2 (status-go and go-waku publish through
// /vac/waku/lightpush/2.0.0-beta1; identify says which a node speaks),
// 2 peers each, 2 filter peers, and the store node chosen among the
// fastest (PolicyFastest) with go-waku's store-node cycle timings (2 failures, 3 min graylist,
// 10 s after a 429). The replacement rules are ours (WakupmPreset), as is
// the disconnect grace: a network switch replaces nobody.
func StatusPreset() Config {
	cfg := WakupmPreset()
	cfg.Name = "status"
	cfg.Cluster = StatusCluster
	cfg.Shards = []uint16{StatusDefaultShard, StatusNonProtectedShard}
	// Status uses static sharding for its own topics.
	cfg.AutoshardingShards = 0
	var push ProtocolConfig
	for i := range cfg.Protocols {
		pc := &cfg.Protocols[i]
		switch pc.Protocol {
		case protocols.LightPush:
			pc.PoolSize = statusLightPushPeers
			push = *pc
		case protocols.FilterSubscribe:
			pc.PoolSize = statusFilterPeers
		case protocols.Store:
			pc.Policy = PolicyFastest
			pc.Replace.MaxFailures = statusStoreFailures
			pc.Replace.BenchFor = statusGraylist
			pc.Replace.RateLimitBenchFor = statusStoreRate
		}
	}
	push.Protocol = protocols.LightPushLegacy
	cfg.Protocols = append(cfg.Protocols, push)
	cfg.HealthFilterPeers = statusFilterPeers
	cfg.HealthLightPushPeers = statusLightPushPeers
	return cfg
}

// ProtocolConfig returns the configuration of protocol id: the listed
// one, or Fallback (with Protocol set) and false when id is not listed.
func (c Config) ProtocolConfig(id string) (ProtocolConfig, bool) {
	for _, pc := range c.Protocols {
		if pc.Protocol == id {
			return pc, true
		}
	}
	pc := c.Fallback
	pc.Protocol = id
	return pc, false
}

// Outcomes returns every outcome, in order (for metric labels, UIs and
// table-driven tests).
func Outcomes() []Outcome {
	out := make([]Outcome, numOutcomes)
	for o := range numOutcomes {
		out[o] = o
	}
	return out
}
