package gossipsub

import (
	"slices"
	"testing"
	"testing/synctest"

	"github.com/libp2p/go-libp2p/p2p/host/eventbus"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/shardmesh"
)

// TestBusEmitterDelivers checks the event-bus path: the first event is the
// current level, then changes in order.
func TestBusEmitterDelivers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	synctest.Test(t, func(t *testing.T) {
		bus := eventbus.NewBus()
		tr, _ := shardmesh.NewTracker()
		tr.Join(tsh0)
		sub, err := bus.Subscribe(new(EvtShardHealthChanged))
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		em, err := NewBusEmitter(tr, bus)
		if err != nil {
			t.Fatal(err)
		}
		var got []EvtShardHealthChanged
		next := func() {
			synctest.Wait()
			got = append(got, (<-sub.Out()).(EvtShardHealthChanged))
		}
		next()
		tr.Graft("a", tsh0)
		next()
		tr.Leave(tsh0)
		next()
		want := []EvtShardHealthChanged{
			{Shard: tsh0, Joined: true, Health: shardmesh.Unhealthy},
			{Shard: tsh0, Joined: true, Health: shardmesh.MinimallyHealthy},
			{Shard: tsh0, Joined: false, Health: shardmesh.Unhealthy},
		}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if err := em.Close(); err != nil {
			t.Fatal(err)
		}
		if err := em.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

// TestBusEmitterSlowSubscriber: a bus subscriber that does not read blocks
// only the emitter goroutine; the tracker keeps applying events, and the
// subscriber later sees the latest level, not the backlog.
func TestBusEmitterSlowSubscriber(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	synctest.Test(t, func(t *testing.T) {
		bus := eventbus.NewBus()
		tr, _ := shardmesh.NewTracker()
		sub, err := bus.Subscribe(new(EvtShardHealthChanged), eventbus.BufSize(1))
		if err != nil {
			t.Fatal(err)
		}
		em, err := NewBusEmitter(tr, bus)
		if err != nil {
			t.Fatal(err)
		}
		shards := []shardmesh.Shard{tsh0, tsh1, tsh2}
		for round := range 1000 {
			for _, s := range shards {
				tr.Join(s)
				if round%2 == 0 {
					tr.Graft("a", s)
				} else {
					tr.Prune("a", s)
				}
				synctest.Wait() // the emitter runs, and blocks on the full bus
			}
		}
		// 6000 events went in; the emitter holds at most one per shard.
		var got []EvtShardHealthChanged
		for len(got) < 10 {
			select {
			case e := <-sub.Out():
				got = append(got, e.(EvtShardHealthChanged))
				synctest.Wait()
				continue
			default:
			}
			break
		}
		if len(got) > 2*len(shards) {
			t.Errorf("slow subscriber received %d events, want at most %d: %+v", len(got), 2*len(shards), got)
		}
		last := map[shardmesh.Shard]shardmesh.Health{}
		for _, e := range got {
			last[e.Shard] = e.Health
		}
		for _, s := range shards {
			if h, ok := last[s]; !ok || h != tr.Health(s) {
				t.Errorf("%v: last event %v (seen %v), tracker says %v", s, h, ok, tr.Health(s))
			}
		}
		sub.Close()
		if err := em.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
