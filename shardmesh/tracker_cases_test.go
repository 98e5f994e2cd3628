package shardmesh

import "math"

// trackerCase is one row of TestTrackerTransitions.
type trackerCase struct {
	name        string
	opts        []Option
	events      []trackerEvent
	want        []ShardHealth // Snapshot, ordered
	wantChanges []ShardHealthChange
	wantStats   TrackerStats // compared on the non-zero fields only
}

// trackerHealthLevelCases walk a shard through the health levels.
func trackerHealthLevelCases() []trackerCase {
	return []trackerCase{{
		name:        "join starts unhealthy",
		events:      evSeq(evJoin(tsh0)),
		want:        []ShardHealth{{Shard: tsh0}},
		wantChanges: []ShardHealthChange{joinedAt(tsh0, Unhealthy)},
	}, {
		name:   "threshold edges with default thresholds",
		events: evSeq(evJoin(tsh0), evGrafts(tsh0, "a", "b", "c", "d"), evPrune("d", tsh0), evPrune("c", tsh0), evPrune("b", tsh0), evPrune("a", tsh0)),
		want:   []ShardHealth{{Shard: tsh0}},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy), // 1 peer
			joinedAt(tsh0, SufficientlyHealthy), // 4 peers = Dlo
			joinedAt(tsh0, MinimallyHealthy),    // 3 peers = Dlo-1
			joinedAt(tsh0, Unhealthy),           // 0 peers
		},
	}, {
		name:   "custom thresholds",
		opts:   []Option{WithThresholds(Thresholds{Minimal: 2, Sufficient: 3})},
		events: evSeq(evJoin(tsh0), evGraft("a", tsh0), evGraft("b", tsh0), evGraft("c", tsh0)),
		want:   []ShardHealth{{Shard: tsh0, MeshPeers: 3, Health: SufficientlyHealthy}},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy), joinedAt(tsh0, SufficientlyHealthy),
		},
	}, {
		name:        "minimal equals sufficient skips the middle level",
		opts:        []Option{WithThresholds(Thresholds{Minimal: 2, Sufficient: 2})},
		events:      evSeq(evJoin(tsh0), evGraft("a", tsh0), evGraft("b", tsh0)),
		want:        []ShardHealth{{Shard: tsh0, MeshPeers: 2, Health: SufficientlyHealthy}},
		wantChanges: []ShardHealthChange{joinedAt(tsh0, Unhealthy), joinedAt(tsh0, SufficientlyHealthy)},
	}}
}

// trackerIgnoredEventCases feed events the tracker must count and otherwise ignore.
func trackerIgnoredEventCases() []trackerCase {
	return []trackerCase{{
		name:      "graft on a shard not joined is ignored",
		events:    evSeq(evJoin(tsh0), evGraft("a", tsh1), evGraft("a", tsh0)),
		want:      []ShardHealth{{Shard: tsh0, MeshPeers: 1, Health: MinimallyHealthy}},
		wantStats: TrackerStats{IgnoredGrafts: 1},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy),
		},
	}, {
		name:        "graft before any join is ignored",
		events:      evSeq(evGraft("a", tsh0), evJoin(tsh0)),
		want:        []ShardHealth{{Shard: tsh0}},
		wantStats:   TrackerStats{IgnoredGrafts: 1},
		wantChanges: []ShardHealthChange{joinedAt(tsh0, Unhealthy)},
	}, {
		name:        "duplicate graft counts once",
		events:      evSeq(evJoin(tsh0), evGraft("a", tsh0), evGraft("a", tsh0)),
		want:        []ShardHealth{{Shard: tsh0, MeshPeers: 1, Health: MinimallyHealthy}},
		wantStats:   TrackerStats{DuplicateGrafts: 1},
		wantChanges: []ShardHealthChange{joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy)},
	}, {
		name:        "prune of a peer never grafted is ignored",
		events:      evSeq(evJoin(tsh0), evGraft("a", tsh0), evPrune("b", tsh0), evPrune("a", tsh1)),
		want:        []ShardHealth{{Shard: tsh0, MeshPeers: 1, Health: MinimallyHealthy}},
		wantStats:   TrackerStats{IgnoredPrunes: 2},
		wantChanges: []ShardHealthChange{joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy)},
	}, {
		name:   "prune of a known peer on a shard where it is not meshed is ignored",
		events: evSeq(evJoin(tsh0), evJoin(tsh1), evGraft("a", tsh0), evPrune("a", tsh1)),
		want: []ShardHealth{
			{Shard: tsh0, MeshPeers: 1, Health: MinimallyHealthy},
			{Shard: tsh1},
		},
		wantStats:   TrackerStats{IgnoredPrunes: 1},
		wantChanges: []ShardHealthChange{joinedAt(tsh0, Unhealthy), joinedAt(tsh1, Unhealthy), joinedAt(tsh0, MinimallyHealthy)},
	}}
}

// trackerPeerLifecycleCases cover peers leaving, coming back and changing direction.
func trackerPeerLifecycleCases() []trackerCase {
	return []trackerCase{{
		name: "disconnect of a peer meshed on many shards",
		events: evSeq(evJoin(tsh0), evJoin(tsh1), evJoin(tsh2),
			evGrafts(tsh0, "a", "b", "c", "d"), evGrafts(tsh1, "a", "b"), evGraft("a", tsh2),
			evGone("a")),
		want: []ShardHealth{
			{Shard: tsh0, MeshPeers: 3, Health: MinimallyHealthy},
			{Shard: tsh1, MeshPeers: 1, Health: MinimallyHealthy},
			{Shard: tsh2, Health: Unhealthy},
		},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh1, Unhealthy), joinedAt(tsh2, Unhealthy),
			joinedAt(tsh0, MinimallyHealthy), joinedAt(tsh0, SufficientlyHealthy),
			joinedAt(tsh1, MinimallyHealthy), joinedAt(tsh2, MinimallyHealthy),
			// evGone("a") drops a from tsh2, tsh1, tsh0 (its shards, latest first):
			joinedAt(tsh2, Unhealthy), joinedAt(tsh0, MinimallyHealthy),
		},
	}, {
		name:   "disconnect of an unknown peer changes nothing",
		events: evSeq(evJoin(tsh0), evGraft("a", tsh0), evGone("zz")),
		want:   []ShardHealth{{Shard: tsh0, MeshPeers: 1, Health: MinimallyHealthy}},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy),
		},
	}, {
		name:   "a peer that reconnects starts from scratch",
		events: evSeq(evJoin(tsh0), evOutbound("a"), evScore("a", -5000), evGraft("a", tsh0), evGone("a"), evGraft("a", tsh0)),
		want:   []ShardHealth{{Shard: tsh0, MeshPeers: 1, Health: MinimallyHealthy}},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy),
		},
	}, {
		name: "outbound peers counted per shard, direction changes follow",
		events: evSeq(evJoin(tsh0), evJoin(tsh1), evOutbound("a"), evGrafts(tsh0, "a", "b"), evGraft("a", tsh1),
			evOutbound("b"), evInbound("a")),
		want: []ShardHealth{
			{Shard: tsh0, MeshPeers: 2, OutboundMeshPeers: 1, Health: MinimallyHealthy},
			{Shard: tsh1, MeshPeers: 1, OutboundMeshPeers: 0, Health: MinimallyHealthy},
		},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh1, Unhealthy), joinedAt(tsh0, MinimallyHealthy), joinedAt(tsh1, MinimallyHealthy),
		},
	}}
}

// trackerScoreCases cover the score gate on mesh peers.
func trackerScoreCases() []trackerCase {
	return []trackerCase{{
		name: "score gating: a low-score mesh peer does not count",
		events: evSeq(evJoin(tsh0), evGrafts(tsh0, "a", "b", "c", "d"),
			evScore("d", DefaultScoreThreshold-1), // 3 counted
			evScore("d", DefaultScoreThreshold),   // at the threshold counts again
		),
		want: []ShardHealth{{Shard: tsh0, MeshPeers: 4, Health: SufficientlyHealthy}},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy), joinedAt(tsh0, SufficientlyHealthy),
			joinedAt(tsh0, MinimallyHealthy), joinedAt(tsh0, SufficientlyHealthy),
		},
	}, {
		name:   "score gating: the only peer low makes the shard unhealthy",
		events: evSeq(evJoin(tsh0), evGraft("a", tsh0), evScore("a", -2000)),
		want:   []ShardHealth{{Shard: tsh0, MeshPeers: 1, LowScoreMeshPeers: 1, Health: Unhealthy}},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy), joinedAt(tsh0, Unhealthy),
		},
	}, {
		name: "score known before graft gates on graft; prune of a gated peer",
		opts: []Option{WithScoreThreshold(0)},
		events: evSeq(evJoin(tsh0), evInbound("a"), evScore("a", -1), evGraft("a", tsh0), evGraft("b", tsh0),
			evPrune("a", tsh0)),
		want: []ShardHealth{{Shard: tsh0, MeshPeers: 1, Health: MinimallyHealthy}},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy),
		},
	}, {
		name:   "scores of unknown peers and NaN are ignored",
		events: evSeq(evJoin(tsh0), evScore("ghost", -1e9), evGraft("ghost", tsh0), evScore("ghost", math.NaN())),
		want:   []ShardHealth{{Shard: tsh0, MeshPeers: 1, Health: MinimallyHealthy}},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy),
		},
	}, {
		name:   "score threshold -Inf counts everyone",
		opts:   []Option{WithScoreThreshold(math.Inf(-1))},
		events: evSeq(evJoin(tsh0), evGraft("a", tsh0), evScore("a", -1e300)),
		want:   []ShardHealth{{Shard: tsh0, MeshPeers: 1, Health: MinimallyHealthy}},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy),
		},
	}}
}

// trackerMembershipCases cover leaving and rejoining shards.
func trackerMembershipCases() []trackerCase {
	return []trackerCase{{
		name:      "leave empties the mesh; gossipsub's prunes after leave are ignored",
		events:    evSeq(evJoin(tsh0), evJoin(tsh1), evGrafts(tsh0, "a", "b"), evGraft("a", tsh1), evLeave(tsh0), evPrune("a", tsh0), evPrune("b", tsh0)),
		want:      []ShardHealth{{Shard: tsh1, MeshPeers: 1, Health: MinimallyHealthy}},
		wantStats: TrackerStats{IgnoredPrunes: 2},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh1, Unhealthy), joinedAt(tsh0, MinimallyHealthy), joinedAt(tsh1, MinimallyHealthy),
			leftShard(tsh0),
		},
	}, {
		name:   "rejoin starts empty and unhealthy",
		events: evSeq(evJoin(tsh0), evGrafts(tsh0, "a", "b", "c", "d"), evLeave(tsh0), evJoin(tsh0), evGraft("a", tsh0)),
		want:   []ShardHealth{{Shard: tsh0, MeshPeers: 1, Health: MinimallyHealthy}},
		wantChanges: []ShardHealthChange{
			joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy), joinedAt(tsh0, SufficientlyHealthy),
			leftShard(tsh0), joinedAt(tsh0, Unhealthy), joinedAt(tsh0, MinimallyHealthy),
		},
	}, {
		name:        "double join and leave of unknown shard are ignored",
		events:      evSeq(evJoin(tsh0), evJoin(tsh0), evLeave(tsh1)),
		want:        []ShardHealth{{Shard: tsh0}},
		wantStats:   TrackerStats{IgnoredJoins: 1, IgnoredLeaves: 1},
		wantChanges: []ShardHealthChange{joinedAt(tsh0, Unhealthy)},
	}}
}
