package service

import (
	"errors"
	"fmt"

	"github.com/wakupm/wakupm/shardmesh"
)

// Scope is what a service node serves: one cluster, a set of shards of it,
// and, for autosharding (requests without a pubsub topic), the cluster's
// shard count (0: static sharding only, such requests are refused).
type Scope struct {
	Cluster   uint16
	Shards    shardmesh.ShardSet
	NumShards uint16
}

// Errors of Resolve, matched with errors.Is.
var (
	// ErrBadTopic: a pubsub or content topic does not parse, or the
	// request names no content topic (status 400).
	ErrBadTopic = errors.New("service: bad topic")
	// ErrUnsupportedShard: the topic is valid but names a shard (or
	// cluster) this node does not serve (light push 421; filter 400).
	ErrUnsupportedShard = errors.New("service: shard not served")
)

// TopicError says which topic a request got wrong.
type TopicError struct {
	Topic  string
	Reason string
	Err    error // ErrBadTopic or ErrUnsupportedShard
}

func (e *TopicError) Error() string { return fmt.Sprintf("%v: %q: %s", e.Err, e.Topic, e.Reason) }

// Unwrap returns ErrBadTopic or ErrUnsupportedShard.
func (e *TopicError) Unwrap() error { return e.Err }

// Group is content topics of one pubsub topic.
type Group struct {
	PubsubTopic   string
	ContentTopics []string
}

// Resolve checks a request's topics against the scope. With a pubsub topic
// (has true) it must be a static-sharding topic of a served shard and every
// content topic must parse; without one, each content topic is autosharded
// (Scope.NumShards) and must land on a served shard. The result groups the
// content topics by pubsub topic, in first-seen order.
func (s Scope) Resolve(pubsubTopic string, has bool, contentTopics []string) ([]Group, error) {
	if len(contentTopics) == 0 {
		return nil, &TopicError{Reason: "no content topic", Err: ErrBadTopic}
	}
	var groups []Group
	if has {
		if err := s.checkPubsub(pubsubTopic); err != nil {
			return nil, err
		}
		groups = []Group{{PubsubTopic: pubsubTopic}}
	}
	for _, ct := range contentTopics {
		parsed, err := shardmesh.ParseContentTopic(ct)
		if err != nil {
			return nil, &TopicError{Topic: ct, Reason: err.Error(), Err: ErrBadTopic}
		}
		if has {
			groups[0].ContentTopics = append(groups[0].ContentTopics, ct)
			continue
		}
		if s.NumShards == 0 {
			return nil, &TopicError{Topic: ct, Reason: "no pubsub topic and the node does not autoshard", Err: ErrBadTopic}
		}
		sh, err := parsed.AutoShard(s.Cluster, s.NumShards)
		if err != nil {
			return nil, &TopicError{Topic: ct, Reason: err.Error(), Err: ErrBadTopic}
		}
		if !s.Shards.Contains(sh.Index) {
			return nil, &TopicError{Topic: ct, Reason: fmt.Sprintf("autoshards to %s, not served", sh), Err: ErrUnsupportedShard}
		}
		groups = addTo(groups, sh.PubsubTopic(), ct)
	}
	return groups, nil
}

// PubsubTopicOf resolves one message's topic: the pubsub topic when given,
// else the content topic's autoshard.
func (s Scope) PubsubTopicOf(pubsubTopic string, has bool, contentTopic string) (string, error) {
	g, err := s.Resolve(pubsubTopic, has, []string{contentTopic})
	if err != nil {
		return "", err
	}
	return g[0].PubsubTopic, nil
}

func (s Scope) checkPubsub(topic string) error {
	sh, err := shardmesh.ParsePubsubTopic(topic)
	if err != nil {
		return &TopicError{Topic: topic, Reason: err.Error(), Err: ErrBadTopic}
	}
	if sh.Cluster != s.Cluster {
		return &TopicError{Topic: topic, Reason: fmt.Sprintf("cluster %d, this node serves cluster %d", sh.Cluster, s.Cluster), Err: ErrUnsupportedShard}
	}
	if !s.Shards.Contains(sh.Index) {
		return &TopicError{Topic: topic, Reason: fmt.Sprintf("shard %d not served (serves %s)", sh.Index, s.Shards), Err: ErrUnsupportedShard}
	}
	return nil
}

func addTo(groups []Group, topic, ct string) []Group {
	for i := range groups {
		if groups[i].PubsubTopic == topic {
			groups[i].ContentTopics = append(groups[i].ContentTopics, ct)
			return groups
		}
	}
	return append(groups, Group{PubsubTopic: topic, ContentTopics: []string{ct}})
}
