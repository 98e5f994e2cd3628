package wakugossip

import (
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Peer-score thresholds shared by nwaku (waku/waku_relay/protocol.nim) and
// go-waku (waku/v2/protocol/relay/config.go:77-116).
const (
	GossipThreshold             = -100.0
	PublishThreshold            = -1000.0
	GraylistThreshold           = -10000.0
	OpportunisticGraftThreshold = 0.0
)

// PeerScoreThresholds returns the Waku relay score thresholds.
func PeerScoreThresholds() *pubsub.PeerScoreThresholds {
	return &pubsub.PeerScoreThresholds{
		GossipThreshold:             GossipThreshold,
		PublishThreshold:            PublishThreshold,
		GraylistThreshold:           GraylistThreshold,
		OpportunisticGraftThreshold: OpportunisticGraftThreshold,
	}
}

// TopicScoreParams returns the per-topic score parameters both Waku
// implementations use for every relay shard: weight 1, P1 time in mesh
// 0.01/s capped at 10, P2 first deliveries weight 1 (decay 0.5, cap 10),
// P3/P3b off, P4 invalid messages -100 (decay 0.5).
func TopicScoreParams() *pubsub.TopicScoreParams {
	return &pubsub.TopicScoreParams{
		SkipAtomicValidation:           true, // leaves P3 and P3b disabled at zero
		TopicWeight:                    1,
		TimeInMeshWeight:               0.01,
		TimeInMeshQuantum:              time.Second,
		TimeInMeshCap:                  10,
		FirstMessageDeliveriesWeight:   1,
		FirstMessageDeliveriesDecay:    0.5,
		FirstMessageDeliveriesCap:      10,
		InvalidMessageDeliveriesWeight: -100,
		InvalidMessageDeliveriesDecay:  0.5,
	}
}

// PeerScoreParams returns the Waku relay peer-score parameters with
// TopicScoreParams installed for each of topics: decay every 12 s to zero at
// 0.01, scores retained 10 min, IP colocation weight -50 above 5 peers per IP,
// behaviour penalty -10 decaying by 0.986, no application-specific score.
func PeerScoreParams(topics ...string) *pubsub.PeerScoreParams {
	params := &pubsub.PeerScoreParams{
		Topics:                      make(map[string]*pubsub.TopicScoreParams, len(topics)),
		AppSpecificScore:            func(peer.ID) float64 { return 0 },
		AppSpecificWeight:           0,
		IPColocationFactorWeight:    -50,
		IPColocationFactorThreshold: 5,
		BehaviourPenaltyWeight:      -10,
		BehaviourPenaltyDecay:       0.986,
		DecayInterval:               12 * time.Second,
		DecayToZero:                 0.01,
		RetainScore:                 10 * time.Minute,
	}
	for _, t := range topics {
		params.Topics[t] = TopicScoreParams()
	}
	return params
}

// PeerScoring returns the pubsub option that enables Waku peer scoring for
// topics. Topics joined later can get their parameters with
// (*pubsub.Topic).SetScoreParams(TopicScoreParams()).
func PeerScoring(topics ...string) pubsub.Option {
	return pubsub.WithPeerScore(PeerScoreParams(topics...), PeerScoreThresholds())
}
