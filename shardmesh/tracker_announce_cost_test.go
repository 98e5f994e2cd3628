package shardmesh

import (
	"math"
	"testing"
	"time"
)

// announceSpread is the i-th of 102,400 distinct shards, spread over 100
// clusters so that every prefix mixes our cluster (1) with 99 others, as an
// attacker's hello would.
func announceSpread(i int) Shard {
	return Shard{Cluster: uint16(i % 100), Index: uint16(i / 100 % ShardsPerCluster)}
}

// announceTimePerShard returns the best time per Announce of reps runs in
// which one peer announces n distinct shards to a fresh Tracker.
func announceTimePerShard(t *testing.T, n, reps int) time.Duration {
	t.Helper()
	best := time.Duration(math.MaxInt64)
	for range reps {
		tr, err := NewTracker()
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for i := range n {
			tr.Announce("attacker", announceSpread(i), true)
		}
		best = min(best, time.Since(start))
	}
	return best / time.Duration(n)
}

// TestAnnounceTimePerShardFlat: what one peer announces costs the same per
// shard whether it announces 1k or 100k shards (gossipsub delivers them on
// its event loop, before its own subscription filter). The best of several
// runs absorbs the noise of a loaded machine; a quadratic list shows a ratio
// in the hundreds, a constant-time set about 1.
func TestAnnounceTimePerShardFlat(t *testing.T) {
	small := announceTimePerShard(t, 1_000, 50)
	large := announceTimePerShard(t, 100_000, 3)
	ratio := float64(large) / float64(small)
	t.Logf("time per announced shard: %v at 1k, %v at 100k (ratio %.1f)", small, large, ratio)
	if ratio > 8 {
		t.Errorf("time per announced shard grows with the number announced: %v at 1k, %v at 100k (ratio %.1f, want <= 8)", small, large, ratio)
	}
}
