package peermanager_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/protocols"
)

// TestManagerStartsOnHostWithConnections: a Manager started on a host that
// already has connections takes them as new ones (a metadata request
// each) and Start returns. Start used to hold its lock while spawning those
// requests, which take the same lock: it never returned.
func TestManagerStartsOnHostWithConnections(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 3, simhost.WithoutPubsub())
		for _, from := range []int{1, 2} {
			if err := nw.Connect(t.Context(), from, 0); err != nil {
				t.Fatal(err)
			}
		}
		m, err := peermanager.NewManager(nw.Node(0).Host, peermanager.WithConfig(relay.WakupmPreset()))
		if err != nil {
			t.Fatal(err)
		}
		started := make(chan error, 1)
		go func() { started <- m.Start() }()
		synctest.Wait()
		select {
		case err := <-started:
			if err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatal("Start did not return on a host with two connections")
		}
		time.Sleep(time.Second)
		if snap := m.Snapshot(); snap.BookSize != 2 {
			t.Errorf("book holds %d peers, want the 2 connected before Start", snap.BookSize)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestManagerCountsRelayPeersConnectedBeforeStart: peers connected and
// identified before Start count as relay peers once it has started: their
// identify events went by before the Manager listened, so Start reads the
// protocols identify stored. Without it they counted for nothing, were
// never pruned, and the Manager dialled its floors as if it had no peer.
func TestManagerCountsRelayPeersConnectedBeforeStart(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 3, simhost.WithoutPubsub())
		for _, from := range []int{1, 2} {
			nw.Node(from).Host.SetStreamHandler(protocols.Relay, func(s network.Stream) { _ = s.Reset() })
			if err := nw.Connect(t.Context(), from, 0); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(5 * time.Second) // identify done long before Start
		synctest.Wait()
		cfg := relay.WakupmPreset()
		cfg.MetadataFailure = relay.NeverDisconnect // the peers run no metadata service
		m, err := peermanager.NewManager(nw.Node(0).Host, peermanager.WithConfig(cfg))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if snap := m.Snapshot(); snap.RelayInbound != 2 {
			t.Errorf("relay inbound peers = %d (outbound %d), want the 2 connected before Start", snap.RelayInbound, snap.RelayOutbound)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
