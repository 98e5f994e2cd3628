package peermanager_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/slots"
)

func TestNewManagerValidatesOptions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 1, simhost.WithoutPubsub())
		h := nw.Node(0).Host
		bad := peermanager.DefaultConfig()
		bad.MaxDialsInFlight = 0
		for name, opts := range map[string][]peermanager.ManagerOption{
			"policy":     {peermanager.WithPolicy(bad)},
			"tracker":    {peermanager.WithTracker(nil)},
			"discoverer": {peermanager.WithDiscoverer(nil)},
			"background": {peermanager.WithBackgroundDiscovery(0, 1)},
			"budget":     {peermanager.WithBudget(slots.Budget{MaxConnections: 1})},
			"tag":        {peermanager.WithProtectTag("")},
			"logger":     {peermanager.WithLogger(nil)},
			"static":     {peermanager.WithStaticPeers(peer.AddrInfo{ID: h.ID()})},
			"metadata":   {peermanager.WithMetadataService(nil)},
			"queue":      {peermanager.WithEventQueueLimit(0)},
		} {
			if _, err := peermanager.NewManager(h, opts...); err == nil {
				t.Errorf("%s: invalid option accepted", name)
			}
		}
		if _, err := peermanager.NewManager(nil); !errors.Is(err, peermanager.ErrInvalidOption) {
			t.Errorf("nil host: %v", err)
		}
		m, err := peermanager.NewManager(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Close(); err != nil { // close before start: nothing to stop
			t.Fatal(err)
		}
	})
}

// TestManagerMetadataClusterCheck: two managers of cluster 1 keep their
// connection after the real metadata exchange; a cluster-16 peer that
// dials a cluster-1 node is disconnected, and the book remembers its
// cluster so that it is never dialled back.
func TestManagerMetadataClusterCheck(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 3, simhost.WithoutPubsub())
		clusters := []uint16{1, 1, 16}
		var mgrs []*peermanager.Manager
		for i, n := range nw.Nodes() {
			cfg := peermanager.DefaultConfig()
			cfg.Cluster = clusters[i]
			m, err := peermanager.NewManager(n.Host, peermanager.WithPolicy(cfg))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Start(); err != nil {
				t.Fatal(err)
			}
			mgrs = append(mgrs, m)
		}
		defer func() {
			for _, m := range mgrs {
				if err := m.Close(); err != nil {
					t.Error(err)
				}
			}
		}()
		if err := nw.Connect(t.Context(), 1, 0); err != nil {
			t.Fatal(err)
		}
		if err := nw.Connect(t.Context(), 2, 0); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		h0 := nw.Node(0).Host
		if got := h0.Network().Connectedness(nw.Node(1).ID()); got != network.Connected {
			t.Errorf("same cluster: %v, want connected", got)
		}
		if got := h0.Network().Connectedness(nw.Node(2).ID()); got == network.Connected {
			t.Errorf("cluster 16 peer still connected to a cluster 1 node")
		}
		snap := mgrs[0].Snapshot()
		if n := snap.Stats.Disconnects[peermanager.ReasonClusterMismatch]; n != 1 {
			t.Errorf("cluster-mismatch disconnects of node 0 = %d, want 1", n)
		}
		var known bool
		mgrs[0].ReadBook(func(b *peermanager.Book) {
			if p := b.Get(nw.Node(2).ID()); p != nil {
				c, ok := p.Cluster()
				known = ok && c == 16
			}
		})
		if !known {
			t.Error("node 0's book does not record the peer's cluster 16")
		}
	})
}
