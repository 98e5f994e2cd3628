package peermanager_test

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	ma "github.com/multiformats/go-multiaddr"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
)

// slowDiscoverer ignores its context: every lookup takes lookup, as a
// discoverer blocked on the network without a deadline would.
type slowDiscoverer struct {
	lookup time.Duration
	calls  atomic.Int64
}

func (d *slowDiscoverer) FindPeers(context.Context, shardmesh.Shard, int, func(book.DiscoveredPeer, []ma.Multiaddr)) error {
	d.calls.Add(1)
	time.Sleep(d.lookup)
	return nil
}

// TestManagerCloseStopsBackgroundDiscoveryBetweenShards: Close during a
// background discovery round over 3 subscribed shards waits for the lookup
// in progress only, not for one lookup per remaining shard.
func TestManagerCloseStopsBackgroundDiscoveryBetweenShards(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 1, simhost.WithoutPubsub())
		d := &slowDiscoverer{lookup: 10 * time.Second}
		policy := relay.WakupmPreset()
		policy.OnDemandDiscovery = false // background lookups only
		m, err := peermanager.NewManager(nw.Node(0).Host, peermanager.WithoutMetadata(),
			peermanager.WithConfig(policy), peermanager.WithDiscoverer(d),
			peermanager.WithBackgroundDiscovery(time.Minute, 8))
		if err != nil {
			t.Fatal(err)
		}
		subscribe(t, m, 0, 1, 2)
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second) // the round's first lookup is running
		synctest.Wait()
		if n := d.calls.Load(); n != 1 {
			t.Fatalf("%d lookups after 1 s, want the round's first", n)
		}
		start := time.Now()
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if took, n := time.Since(start), d.calls.Load(); n != 1 || took > 10*time.Second {
			t.Errorf("Close took %v and %d lookups ran, want the one in progress only (<= 10 s, 1 lookup)", took, n)
		}
	})
}
