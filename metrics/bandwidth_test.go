package metrics

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/shardmesh"
)

func shard(i uint16) shardmesh.Shard { return shardmesh.Shard{Cluster: 1, Index: i} }

func topic(i uint16) string { return shard(i).PubsubTopic() }

func TestBandwidthAddGossipAttributesShards(t *testing.T) {
	b, err := NewBandwidth()
	require.NoError(t, err)

	b.AddGossip(DirectionOut, TypeData, topic(3), 100, 1)
	b.AddGossip(DirectionOut, TypeData, topic(3), 50, 1)
	b.AddGossip(DirectionOut, TypeGraft, topic(4), 10, 1)
	b.AddGossip(DirectionIn, TypeData, topic(3), 7, 1)
	b.AddGossip(DirectionOut, TypeData, "/waku/2/default-waku/proto", 20, 1) // named sharding: no shard
	b.AddGossip(DirectionOut, TypeOverhead, "", 5, 1)
	b.AddGossip(DirectionOut, TypeData, topic(3), 0, 0) // nothing: not even a row

	s := b.Snapshot()
	require.Equal(t, []GossipBytes{
		{Direction: DirectionOut, Type: TypeData, Bytes: 20, Entries: 1},
		{Direction: DirectionOut, Type: TypeData, Shard: shard(3), HasShard: true, Bytes: 150, Entries: 2},
		{Direction: DirectionOut, Type: TypeGraft, Shard: shard(4), HasShard: true, Bytes: 10, Entries: 1},
		{Direction: DirectionOut, Type: TypeOverhead, Bytes: 5, Entries: 1},
		{Direction: DirectionIn, Type: TypeData, Shard: shard(3), HasShard: true, Bytes: 7, Entries: 1},
	}, s.Gossip)
	require.Equal(t, uint64(185), s.GossipTotal(DirectionOut))
	require.Equal(t, uint64(25), s.GossipUnattributed(DirectionOut))
	require.Equal(t, map[shardmesh.Shard]uint64{shard(3): 150, shard(4): 10}, s.GossipByShard(DirectionOut))
	byType := s.GossipByType(DirectionOut)
	require.Equal(t, uint64(170), byType[TypeData])
	require.Equal(t, uint64(10), byType[TypeGraft])
	require.Equal(t, uint64(5), byType[TypeOverhead])
	require.Zero(t, s.GossipTotal(DirectionDropped))
}

func TestBandwidthMessageIDAttribution(t *testing.T) {
	tests := []struct {
		name      string
		cacheSize int
		learn     [][2]string // id, topic
		ids       []string
		wantShard bool
		want      shardmesh.Shard
	}{
		{name: "unknown id has no shard", cacheSize: 4, ids: []string{"x"}},
		{name: "known id", cacheSize: 4, learn: [][2]string{{"a", topic(2)}}, ids: []string{"a"}, wantShard: true, want: shard(2)},
		{name: "first known id wins", cacheSize: 4,
			learn: [][2]string{{"a", topic(2)}, {"b", topic(5)}}, ids: []string{"zz", "b", "a"}, wantShard: true, want: shard(5)},
		{name: "non-shard topic is not learnt", cacheSize: 4, learn: [][2]string{{"a", "blah"}}, ids: []string{"a"}},
		{name: "evicted oldest", cacheSize: 2,
			learn: [][2]string{{"a", topic(1)}, {"b", topic(2)}, {"c", topic(3)}}, ids: []string{"a"}},
		{name: "newer survive eviction", cacheSize: 2,
			learn: [][2]string{{"a", topic(1)}, {"b", topic(2)}, {"c", topic(3)}}, ids: []string{"b"}, wantShard: true, want: shard(2)},
		{name: "relearning does not take a slot", cacheSize: 2,
			learn: [][2]string{{"a", topic(1)}, {"a", topic(1)}, {"b", topic(2)}}, ids: []string{"a"}, wantShard: true, want: shard(1)},
		{name: "cache disabled", cacheSize: 0, learn: [][2]string{{"a", topic(1)}}, ids: []string{"a"}},
		{name: "empty id ignored", cacheSize: 2, learn: [][2]string{{"", topic(1)}}, ids: []string{""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := NewBandwidth(WithMessageIDCacheSize(tc.cacheSize))
			require.NoError(t, err)
			for _, l := range tc.learn {
				b.LearnMessageID(l[0], l[1])
			}
			b.AddGossipForIDs(DirectionIn, TypeIWant, tc.ids, 42)
			rows := b.Snapshot().Gossip
			require.Len(t, rows, 1)
			require.Equal(t, GossipBytes{Direction: DirectionIn, Type: TypeIWant, Shard: tc.want, HasShard: tc.wantShard,
				Bytes: 42, Entries: 1}, rows[0])
		})
	}
}

func TestBandwidthTopicTableIsBounded(t *testing.T) {
	b, err := NewBandwidth()
	require.NoError(t, err)
	for i := range topicCacheSize * 3 {
		b.AddGossip(DirectionIn, TypeSubscription, fmt.Sprintf("/spam/%d", i), 1, 1)
	}
	require.Len(t, b.topics, topicCacheSize)
	// Uncached topics are still classified correctly.
	b.AddGossip(DirectionIn, TypeData, topic(9), 3, 1)
	require.Equal(t, map[shardmesh.Shard]uint64{shard(9): 3}, b.Snapshot().GossipByShard(DirectionIn))
}

func TestBandwidthProtocolsAndMerge(t *testing.T) {
	a, err := NewBandwidth()
	require.NoError(t, err)
	b, err := NewBandwidth()
	require.NoError(t, err)
	a.AddProtocol("/meshsub/1.2.0", DirectionOut, 10)
	a.AddProtocol("/ipfs/id/1.0.0", DirectionIn, 3)
	a.AddProtocol("/ipfs/id/1.0.0", DirectionIn, -3) // ignored
	b.AddProtocol("/meshsub/1.2.0", DirectionOut, 5)
	a.AddGossip(DirectionOut, TypeData, topic(1), 10, 1)
	b.AddGossip(DirectionOut, TypeData, topic(1), 5, 2)
	b.AddGossip(DirectionOut, TypeIHave, topic(2), 1, 1)

	m := a.Snapshot().Merge(b.Snapshot())
	require.Equal(t, []ProtocolBytes{
		{Protocol: "/ipfs/id/1.0.0", Direction: DirectionIn, Bytes: 3},
		{Protocol: "/meshsub/1.2.0", Direction: DirectionOut, Bytes: 15},
	}, m.Protocols)
	require.Equal(t, []GossipBytes{
		{Direction: DirectionOut, Type: TypeData, Shard: shard(1), HasShard: true, Bytes: 15, Entries: 3},
		{Direction: DirectionOut, Type: TypeIHave, Shard: shard(2), HasShard: true, Bytes: 1, Entries: 1},
	}, m.Gossip)
}

func TestBandwidthOptionsValidate(t *testing.T) {
	_, err := NewBandwidth(WithMessageIDCacheSize(-1))
	require.True(t, isOptionError(err), err)
	_, err = NewBandwidth(nil)
	require.True(t, isOptionError(err), err)
	_, err = NewBandwidthTracer(WithMessageIDFunc(nil))
	require.True(t, isOptionError(err), err)
}

func TestMessageTypeNames(t *testing.T) {
	var names []string
	var control []string
	for _, mt := range MessageTypes() {
		names = append(names, mt.String())
		if mt.IsControl() {
			control = append(control, mt.String())
		}
	}
	require.Equal(t, []string{"data", "ihave", "iwant", "graft", "prune", "idontwant", "subscription", "overhead"}, names)
	require.Equal(t, []string{"ihave", "iwant", "graft", "prune", "idontwant"}, control)
	require.Equal(t, "type(99)", MessageType(99).String())
	require.Equal(t, []string{"out", "in", "dropped", "direction(7)"},
		[]string{DirectionOut.String(), DirectionIn.String(), DirectionDropped.String(), Direction(7).String()})
}
