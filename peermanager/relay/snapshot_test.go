package relay

import (
	"testing"

	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// TestSnapshotCountsDialsPerShardAndCause: the per-shard figures a report
// reads (known peers, dials, failures) and the failures by cause follow the
// events the core stepped.
func TestSnapshotCountsDialsPerShardAndCause(t *testing.T) {
	c, err := NewCore(WakupmPreset())
	if err != nil {
		t.Fatal(err)
	}
	var dialled []Action
	step := func(ev Event) {
		for _, a := range c.Step(ev, t0) {
			if a.Kind == ActDial {
				dialled = append(dialled, a)
			}
		}
	}
	step(Subscribed{Shard: twn(0)})
	step(Subscribed{Shard: twn(1)})
	for i := range 3 {
		step(PeerDiscovered{Peer: enrPeer(i, shardmesh.ClusterTWN, shardmesh.CapRelay, 0, 1)})
	}
	step(PeerDiscovered{Peer: enrPeer(9, shardmesh.ClusterTWN, shardmesh.CapRelay, 1)})
	step(Tick{})
	if len(dialled) == 0 {
		t.Fatal("no dial")
	}
	causes := []DialCause{CauseRefused, CauseTimeout, CauseTimeout, DialCause(200)}
	failed := 0
	var onShard0 uint64
	for i, a := range dialled {
		c.Step(DialFailed{ID: a.Peer, Cause: causes[i%len(causes)]}, t0)
		failed++
		if a.Peer != pid(9) {
			onShard0++
		}
	}
	s := c.Snapshot()
	var byCause uint64
	for _, n := range s.Stats.DialFailuresByCause {
		byCause += n
	}
	if byCause != uint64(failed) || s.Stats.DialFailuresByCause[CauseRefused] == 0 {
		t.Errorf("by cause %v, want %d failures, one refused at least", s.Stats.DialFailuresByCause, failed)
	}
	if len(s.Shards) != 2 {
		t.Fatalf("shards %+v", s.Shards)
	}
	if got := s.Shards[0]; got.Known != 3 || got.Dials != onShard0 || got.DialFailures != onShard0 {
		t.Errorf("shard 0: %+v, want 3 known, %d dials and failures", got, onShard0)
	}
	if got := s.Shards[1]; got.Known != 4 || got.Dials != uint64(len(dialled)) || got.DialFailures != uint64(len(dialled)) {
		t.Errorf("shard 1: %+v, want 4 known, %d dials and failures", got, len(dialled))
	}
	c.Step(PeerConnected{ID: pid(0), Direction: book.Inbound}, t0)
	if got := c.Snapshot().ConnectedByOrigin[book.OriginDiscv5]; got != 1 {
		t.Errorf("connected by origin discv5 = %d, want 1", got)
	}
}
