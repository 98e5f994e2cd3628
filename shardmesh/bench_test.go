package shardmesh

import "testing"

// Run with: go test -run='^$' -bench=. -benchmem ./shardmesh/

var (
	benchShard Shard
	benchErr   error
	benchInt   int
	benchBool  bool
	benchSet   ShardSet
	benchTopic string
)

func BenchmarkParsePubsubTopic(b *testing.B) {
	for _, topic := range []string{"/waku/2/rs/1/7", "/waku/2/rs/16/1023", "/waku/2/default-waku/proto"} {
		b.Run(topic, func(b *testing.B) {
			for b.Loop() {
				benchShard, benchErr = ParsePubsubTopic(topic)
			}
		})
	}
}

func BenchmarkPubsubTopic(b *testing.B) {
	s := Shard{Cluster: 16, Index: 1023}
	for b.Loop() {
		benchTopic = s.PubsubTopic()
	}
}

func BenchmarkAutoShard(b *testing.B) {
	for b.Loop() {
		benchShard, benchErr = AutoShard("/toychat/2/huilong/proto", ClusterTWN, TWNShardCount)
	}
}

func BenchmarkParseContentTopic(b *testing.B) {
	for b.Loop() {
		_, benchErr = ParseContentTopic("/0/toychat/2/huilong/proto")
	}
}

func BenchmarkShardSet(b *testing.B) {
	ours, _ := ShardSetOf(0, 1, 2, 3, 4, 5, 6, 7)
	theirs, _ := ShardSetOf(5, 64, 700, 1023)
	b.Run("Add+Remove", func(b *testing.B) {
		var s ShardSet
		for b.Loop() {
			s.Add(700)
			s.Remove(700)
		}
		benchSet = s
	})
	b.Run("Contains", func(b *testing.B) {
		for b.Loop() {
			benchBool = ours.Contains(5)
		}
	})
	b.Run("Len", func(b *testing.B) {
		for b.Loop() {
			benchInt = ours.Len()
		}
	})
	b.Run("Intersects", func(b *testing.B) {
		for b.Loop() {
			benchBool = ours.Intersects(theirs)
		}
	})
	b.Run("IntersectionLen", func(b *testing.B) {
		for b.Loop() {
			benchInt = ours.IntersectionLen(theirs)
		}
	})
	b.Run("Intersect", func(b *testing.B) {
		for b.Loop() {
			benchSet = ours.Intersect(theirs)
		}
	})
	b.Run("Union", func(b *testing.B) {
		for b.Loop() {
			benchSet = ours.Union(theirs)
		}
	})
	b.Run("IterateNext", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for i, ok := theirs.Next(0); ok; i, ok = theirs.Next(i + 1) {
				n += int(i)
			}
			benchInt = n
		}
	})
}
