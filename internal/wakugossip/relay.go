package wakugossip

import (
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/protocols"
)

// RelayProtocol makes GossipSub speak the Waku relay protocol id
// (protocols.Relay, 11/WAKU2-RELAY) first, with the features of gossipsub
// v1.1, which Waku relay is, then the library's default ids. Identify then
// lists the relay id, which is how peer managers and the slots gater tell a
// relay peer; peers of either kind still mesh.
func RelayProtocol() pubsub.Option {
	ids := append([]protocol.ID{protocols.Relay}, pubsub.GossipSubDefaultProtocols...)
	return pubsub.WithGossipSubProtocols(ids, relayFeatures)
}

func relayFeatures(feat pubsub.GossipSubFeature, proto protocol.ID) bool {
	if proto == protocols.Relay {
		proto = pubsub.GossipSubID_v11
	}
	return pubsub.GossipSubDefaultFeatures(feat, proto)
}
