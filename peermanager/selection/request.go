package selection

import (
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// Request asks the selector for service peers.
//
// The shard is named by exactly one of ContentTopic (resolved through
// autosharding), PubsubTopic (`/waku/2/rs/<cluster>/<shard>`) or Shard; the
// first non-empty of ContentTopic and PubsubTopic wins, else Shard is used.
type Request struct {
	// Protocol is the service protocol (e.g. protocols.LightPush).
	Protocol string
	// Shard is the shard, when neither topic is given.
	Shard shardmesh.Shard
	// PubsubTopic names the shard as a static-sharding pubsub topic.
	PubsubTopic string
	// ContentTopic names the shard through autosharding.
	ContentTopic string
	// Count is how many peers are wanted; 0 means the protocol's PoolSize.
	// A sticky pool grows to the largest count asked of it.
	Count int
	// Policy overrides the protocol's policy; PolicyDefault keeps it.
	Policy Policy
	// Exclude are peers not to return this time (e.g. tried already). They
	// stay in the pool; the answer is completed with other peers.
	Exclude []peerid.ID
	// NoPool makes a one-off selection that neither reads nor changes the
	// sticky pool (a store query fanned out beyond the pool, a bootstrap
	// peer-exchange request).
	NoPool bool
}

// ForShard returns a request for n peers of protocol proto on shard s.
func ForShard(proto string, s shardmesh.Shard, n int) Request {
	return Request{Protocol: proto, Shard: s, Count: n}
}

// ForPubsubTopic returns a request for n peers of protocol proto on the
// shard of a static-sharding pubsub topic.
func ForPubsubTopic(proto string, topic string, n int) Request {
	return Request{Protocol: proto, PubsubTopic: topic, Count: n}
}

// ForContentTopic returns a request for n peers of protocol proto on the
// shard the content topic maps to by autosharding.
func ForContentTopic(proto string, contentTopic string, n int) Request {
	return Request{Protocol: proto, ContentTopic: contentTopic, Count: n}
}

func (r *Request) excludes(id peerid.ID) bool {
	for _, x := range r.Exclude {
		if x == id {
			return true
		}
	}
	return false
}
