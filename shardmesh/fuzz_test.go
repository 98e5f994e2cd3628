package shardmesh

import (
	"errors"
	"testing"
)

// Fuzz targets for every parser of network or user input in this package.
// Seed corpora live in testdata/fuzz/<target>/. Run one with
//
//	go test -run='^$' -fuzz='^FuzzParsePubsubTopic$' -fuzztime=60s ./shardmesh/

func FuzzParsePubsubTopic(f *testing.F) {
	f.Fuzz(func(t *testing.T, topic string) {
		s, err := ParsePubsubTopic(topic)
		if err != nil {
			var e *TopicError
			if !errors.As(err, &e) || e.Reason == ReasonNone || e.Topic != topic {
				t.Fatalf("untyped or empty error %v", err)
			}
			return
		}
		if !s.Valid() || s.PubsubTopic() != topic {
			t.Fatalf("%q parsed to %+v, which formats as %q", topic, s, s.PubsubTopic())
		}
	})
}

func FuzzParseContentTopic(f *testing.F) {
	f.Fuzz(func(t *testing.T, topic string, numShards uint16) {
		c, err := ParseContentTopic(topic)
		if err != nil {
			var e *ContentTopicError
			if !errors.As(err, &e) || e.Reason == 0 || e.Topic != topic {
				t.Fatalf("untyped error %v", err)
			}
			if _, err := AutoShard(topic, 1, numShards); err == nil {
				t.Fatalf("AutoShard accepted %q that ParseContentTopic rejects", topic)
			}
			return
		}
		if c.String() != topic {
			t.Fatalf("%q parsed to %+v, which formats as %q", topic, c, c.String())
		}
		s, err := AutoShard(topic, 7, numShards)
		switch {
		case numShards == 0 || numShards > ShardsPerCluster:
			var e *ShardCountError
			if !errors.As(err, &e) {
				t.Fatalf("numShards %d: want *ShardCountError, got %v", numShards, err)
			}
		case c.Generation != 0:
			var e *ContentTopicError
			if !errors.As(err, &e) || e.Reason != ContentUnsupportedGeneration {
				t.Fatalf("generation %d: got %v", c.Generation, err)
			}
		case err != nil:
			t.Fatalf("AutoShard(%q, %d): %v", topic, numShards, err)
		case s.Cluster != 7 || s.Index >= numShards:
			t.Fatalf("AutoShard(%q, %d) = %+v", topic, numShards, s)
		}
	})
}
