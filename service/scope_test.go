package service

import (
	"errors"
	"testing"

	"github.com/wakupm/wakupm/shardmesh"
)

func TestResolve(t *testing.T) {
	shards, _ := shardmesh.ShardSetOf(32)
	s := Scope{Cluster: 16, Shards: shards}
	g, err := s.Resolve("/waku/2/rs/16/32", true, []string{"/app/1/chat/proto"})
	if err != nil || len(g) != 1 || g[0].PubsubTopic != "/waku/2/rs/16/32" {
		t.Fatalf("%v %v", g, err)
	}
	for name, c := range map[string]struct {
		topic string
		has   bool
		cts   []string
		want  error
	}{
		"unknown shard":     {"/waku/2/rs/16/33", true, []string{"/app/1/chat/proto"}, ErrUnsupportedShard},
		"other cluster":     {"/waku/2/rs/1/32", true, []string{"/app/1/chat/proto"}, ErrUnsupportedShard},
		"bad pubsub":        {"/waku/2/default-waku/proto", true, []string{"/app/1/chat/proto"}, ErrBadTopic},
		"bad content topic": {"/waku/2/rs/16/32", true, []string{"no-slashes"}, ErrBadTopic},
		"no content topic":  {"/waku/2/rs/16/32", true, nil, ErrBadTopic},
		"no autosharding":   {"", false, []string{"/app/1/chat/proto"}, ErrBadTopic},
	} {
		if _, err := s.Resolve(c.topic, c.has, c.cts); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	all, _ := shardmesh.ShardSetOf(0, 1, 2, 3, 4, 5, 6, 7)
	auto := Scope{Cluster: 1, Shards: all, NumShards: 8}
	if g, err := auto.Resolve("", false, []string{"/app/1/a/proto", "/app/1/b/proto"}); err != nil || len(g) != 1 {
		t.Fatalf("autoshard: %v %v", g, err)
	}
}
