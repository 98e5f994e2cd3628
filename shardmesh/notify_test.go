package shardmesh

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/peerid"
)

func TestSubscriptionCoalescesToLatest(t *testing.T) {
	tr, _ := NewTracker()
	sub := tr.Subscribe()
	defer sub.Close()
	for _, e := range evSeq(evJoin(tsh1), evJoin(tsh0), evGrafts(tsh0, "a", "b", "c", "d"), evGraft("a", tsh1), evPrune("a", tsh1)) {
		e.apply(tr)
	}
	select {
	case <-sub.Ready():
	default:
		t.Fatal("Ready not signalled")
	}
	got := sub.Next(nil)
	// One entry per shard, in the order shards first changed, at their
	// current level: tsh1 went Unhealthy -> Minimally -> Unhealthy.
	want := []ShardHealthChange{joinedAt(tsh1, Unhealthy), joinedAt(tsh0, SufficientlyHealthy)}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := sub.Next(nil); len(got) != 0 {
		t.Errorf("second Next = %+v, want nothing", got)
	}
}

func TestSubscriptionNoDuplicateAfterRevert(t *testing.T) {
	tr, _ := NewTracker()
	tr.Join(tsh0)
	sub := tr.Subscribe()
	defer sub.Close()
	if got := sub.Next(nil); !slices.Equal(got, []ShardHealthChange{joinedAt(tsh0, Unhealthy)}) {
		t.Fatalf("initial report %+v", got)
	}
	tr.Graft("a", tsh0) // Minimally ...
	tr.Prune("a", tsh0) // ... and back before the subscriber looked
	if got := sub.Next(nil); len(got) != 0 {
		t.Errorf("reverted change reported: %+v", got)
	}
	tr.Leave(tsh0)
	tr.Join(tsh0) // left and rejoined unseen: still (joined, Unhealthy)
	if got := sub.Next(nil); len(got) != 0 {
		t.Errorf("leave+join reported: %+v", got)
	}
}

func TestSubscriptionCloseClosesReady(t *testing.T) {
	tr, _ := NewTracker()
	sub := tr.Subscribe()
	other := tr.Subscribe()
	defer other.Close()
	tr.Join(tsh0)
	sub.Close()
	sub.Close() // idempotent
	n := 0
	for range sub.Ready() { // drains a pending signal, then ends
		n++
	}
	if n > 1 {
		t.Errorf("%d signals after Close", n)
	}
	tr.Graft("a", tsh0) // must not touch the closed subscription
	if got := other.Next(nil); !slices.Equal(got, []ShardHealthChange{joinedAt(tsh0, MinimallyHealthy)}) {
		t.Errorf("other subscriber got %+v", got)
	}
}

// TestStalledSubscriberBoundedMemory feeds 1e6 events to a tracker with a
// subscriber that never reads: the tracker keeps going without allocating,
// the subscription holds at most one entry per shard, and when the
// subscriber finally reads it gets exactly the latest level of each shard.
func TestStalledSubscriberBoundedMemory(t *testing.T) {
	const (
		events = 1_000_000
		nPeers = 200
		nShard = 16
	)
	tr, _ := NewTracker()
	stalled := tr.Subscribe()
	defer stalled.Close()
	shards := make([]Shard, nShard)
	for i := range shards {
		shards[i] = Shard{Cluster: 1, Index: uint16(i)}
		tr.Join(shards[i])
	}
	peers := make([]peerid.ID, nPeers)
	for i := range peers {
		peers[i] = peerid.ID(fmt.Sprintf("peer-%03d", i))
	}
	step := func(i int) {
		p, s := peers[i%nPeers], shards[(i/nPeers)%nShard]
		switch i % 7 {
		case 0, 1, 2:
			tr.Graft(p, s)
		case 3, 4, 5:
			tr.Prune(p, s)
		default:
			tr.PeerGone(peers[(i*31)%nPeers])
		}
	}
	// Warm up so tables reach their working size, then measure.
	for i := range 100_000 {
		step(i)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	i := 100_000
	allocs := testing.AllocsPerRun(events, func() { step(i); i++ })
	runtime.GC()
	runtime.ReadMemStats(&after)
	if allocs != 0 {
		t.Errorf("%.3f allocs per event with a stalled subscriber, want 0", allocs)
	}
	if growth := int64(after.HeapAlloc) - int64(before.HeapAlloc); growth > 256<<10 {
		t.Errorf("heap grew by %d bytes over %d events", growth, events)
	}
	tr.mu.Lock()
	pending := len(stalled.pending)
	tr.mu.Unlock()
	if pending > nShard {
		t.Errorf("stalled subscription holds %d pending entries, want <= %d", pending, nShard)
	}
	got := stalled.Next(nil)
	if len(got) > nShard {
		t.Fatalf("%d changes for %d shards", len(got), nShard)
	}
	for _, c := range got {
		if h := tr.Health(c.Shard); h != c.Health || !c.Joined {
			t.Errorf("%v reported %v, tracker says %v", c.Shard, c.Health, h)
		}
	}
	if st := tr.Stats(); st.Events < events {
		t.Errorf("tracker processed %d events", st.Events)
	}
}

// TestSubscriptionConcurrentReader runs events and a reader concurrently
// (meant for -race): per shard the reader never sees the same state twice
// in a row, and its last view equals the tracker's final state.
func TestSubscriptionConcurrentReader(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	tr, _ := NewTracker()
	sub := tr.Subscribe()
	last := map[Shard]ShardHealthChange{}
	var wg sync.WaitGroup
	var dup error
	wg.Go(func() {
		var changes []ShardHealthChange
		for range sub.Ready() {
			changes = sub.Next(changes[:0])
			for _, c := range changes {
				if prev, ok := last[c.Shard]; ok && prev == c && dup == nil {
					dup = fmt.Errorf("duplicate %+v", c)
				}
				last[c.Shard] = c
			}
		}
	})
	shards := []Shard{tsh0, tsh1, tsh2}
	for _, s := range shards {
		tr.Join(s)
	}
	for i := range 20_000 {
		p := peerid.ID(fmt.Sprint("p", i%9))
		s := shards[i%3]
		if i%5 < 3 {
			tr.Graft(p, s)
		} else {
			tr.Prune(p, s)
		}
	}
	final := tr.Snapshot()
	// Let the reader catch up: one more read after all events, then stop.
	for {
		sub.t.mu.Lock()
		idle := len(sub.pending) == 0
		sub.t.mu.Unlock()
		if idle && len(sub.ready) == 0 {
			break
		}
		runtime.Gosched()
	}
	sub.Close()
	wg.Wait()
	if dup != nil {
		t.Error(dup)
	}
	for _, h := range final {
		if got := last[h.Shard]; got != joinedAt(h.Shard, h.Health) {
			t.Errorf("reader's last view of %v = %+v, tracker has %v", h.Shard, got, h.Health)
		}
	}
}
