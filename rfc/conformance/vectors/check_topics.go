package vectors

import (
	"encoding/json"
	"errors"

	"github.com/wakupm/wakupm/shardmesh"
)

// ShardValue is the value of pubsub-topic and autoshard.
type ShardValue struct {
	Cluster uint16 `json:"cluster"`
	Shard   uint16 `json:"shard"`
}

// ContentTopicValue is the value of content-topic.
type ContentTopicValue struct {
	Generation  uint32 `json:"generation"`
	Application string `json:"application"`
	Version     string `json:"version"`
	Name        string `json:"name"`
	Encoding    string `json:"encoding"`
}

type textInput struct {
	Text *string `json:"text"`
}

func decodeText(kind string, input json.RawMessage) (string, error) {
	var in textInput
	if err := decodeInput(kind, input, &in); err != nil {
		return "", err
	}
	if in.Text == nil {
		return "", &InputError{Kind: kind, Reason: `missing "text"`}
	}
	return *in.Text, nil
}

func checkPubsubTopic(input json.RawMessage) (any, string, error) {
	text, err := decodeText(KindPubsubTopic, input)
	if err != nil {
		return nil, "", err
	}
	s, err := shardmesh.ParsePubsubTopic(text)
	if err != nil {
		return nil, topicClass(err), nil
	}
	return ShardValue{Cluster: s.Cluster, Shard: s.Index}, "", nil
}

func topicClass(err error) string {
	var te *shardmesh.TopicError
	if errors.As(err, &te) {
		switch te.Reason {
		case shardmesh.ReasonClusterOverflow, shardmesh.ReasonIndexOverflow:
			return ClassOutOfRange
		}
	}
	return ClassMalformed
}

func checkContentTopic(input json.RawMessage) (any, string, error) {
	text, err := decodeText(KindContentTopic, input)
	if err != nil {
		return nil, "", err
	}
	c, err := shardmesh.ParseContentTopic(text)
	if err != nil {
		return nil, contentTopicClass(err), nil
	}
	return ContentTopicValue{Generation: c.Generation, Application: c.Application,
		Version: c.Version, Name: c.Name, Encoding: c.Encoding}, "", nil
}

func contentTopicClass(err error) string {
	var ce *shardmesh.ContentTopicError
	if errors.As(err, &ce) {
		switch ce.Reason {
		case shardmesh.ContentGenerationOverflow:
			return ClassOutOfRange
		case shardmesh.ContentUnsupportedGeneration:
			return ClassUnsupportedValue
		}
	}
	var se *shardmesh.ShardCountError
	if errors.As(err, &se) {
		if se.NumShards == 0 {
			return ClassUnsupportedValue
		}
		return ClassOutOfRange
	}
	return ClassMalformed
}

type autoshardInput struct {
	ContentTopic *string `json:"content_topic"`
	Cluster      *uint16 `json:"cluster"`
	ShardCount   *uint16 `json:"shard_count"`
}

func checkAutoshard(input json.RawMessage) (any, string, error) {
	var in autoshardInput
	if err := decodeInput(KindAutoshard, input, &in); err != nil {
		return nil, "", err
	}
	if in.ContentTopic == nil || in.Cluster == nil || in.ShardCount == nil {
		return nil, "", &InputError{Kind: KindAutoshard, Reason: "content_topic, cluster and shard_count are required"}
	}
	s, err := shardmesh.AutoShard(*in.ContentTopic, *in.Cluster, *in.ShardCount)
	if err != nil {
		return nil, contentTopicClass(err), nil
	}
	return ShardValue{Cluster: s.Cluster, Shard: s.Index}, "", nil
}
