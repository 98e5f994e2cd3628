package peermanager_test

import (
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/relay"
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
