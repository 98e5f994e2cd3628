package peermanager_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
	slotsgater "github.com/wakupm/wakupm/slots/gater"
)

// TestManagerDialsPastOutboundTargetThroughGater installs a Manager and a
// slots/gater Gater with the same Budget on one real host. The node subscribes to
// 4 shards whose candidates are single-shard peers, so the floors (4 per
// shard) need 16 outbound relay peers where the outbound target is 4. The
// policy dials past the target into unused inbound relay room and the
// headroom, up to Relay() + Headroom() = 14; the gater must admit every one
// of those dials (no refusal, no failed dial), and the policy must stop
// there.
func TestManagerDialsPastOutboundTargetThroughGater(t *testing.T) {
	defer goleak.VerifyNone(t)
	const (
		shards       = 4
		peersPerSide = 4
	)
	budget, err := slots.NewBudget(20) // relay 12 (in 8, out 4), 8 reserved, headroom 2
	if err != nil {
		t.Fatal(err)
	}
	if budget.RelayOutbound != 4 || budget.Relay() != 12 || budget.Headroom() != 2 {
		t.Fatalf("test premise: budget %s", budget)
	}
	gater, err := slotsgater.New(budget)
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 1+shards*peersPerSide, simhost.WithoutPubsub(),
			simhost.WithHostOptions(func(i int) []libp2p.Option {
				if i == 0 {
					return []libp2p.Option{libp2p.ConnectionGater(gater)}
				}
				return nil
			}))
		node := nw.Node(0).Host
		if err := gater.Attach(node); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- gater.Run(ctx) }()
		t.Cleanup(func() { // before the network closes
			cancel()
			if err := <-done; err != nil {
				t.Errorf("gater: %v", err)
			}
		})

		m := startManager(t, node, peermanager.WithBudget(budget), peermanager.WithoutMetadata())
		for s := range uint16(shards) {
			subscribe(t, m, s)
		}
		for i, n := range nw.Nodes()[1:] {
			var on shardmesh.ShardSet
			on.Add(uint16(i / peersPerSide))
			// Identify must list relay, or the policy stops counting
			// the peer as a relay peer.
			n.Host.SetStreamHandler(protocols.Relay, func(s network.Stream) { _ = s.Reset() })
			m.AddPeer(book.DiscoveredPeer{ID: peerid.ID(n.ID()), Origin: book.OriginDiscv5, HasENR: true,
				Cluster: shardmesh.ClusterTWN, HasShards: true, Shards: on,
				Caps: shardmesh.CapRelay}, n.Host.Addrs())
		}
		time.Sleep(time.Minute)
		synctest.Wait()

		outbound := 0
		for _, c := range node.Network().Conns() {
			if c.Stat().Direction == network.DirOutbound {
				outbound++
			}
		}
		want := budget.Relay() + budget.Headroom()
		if outbound != want {
			t.Errorf("outbound relay peers %d, want relay share + headroom = %d (outbound target %d)",
				outbound, want, budget.RelayOutbound)
		}
		st := m.Snapshot().Stats
		if st.DialsFailed+st.DialsExpired != 0 {
			t.Errorf("%d dials failed and %d expired; the gater refused dials the policy made", st.DialsFailed, st.DialsExpired)
		}
		if n := gater.Stats(time.Now()).Ledger.Refused[slots.RefuseOutboundFull]; n != 0 {
			t.Errorf("gater refused %d outbound dials", n)
		}
		if st.DialsStarted != uint64(want) {
			t.Errorf("policy started %d dials, want %d", st.DialsStarted, want)
		}
	})
}
