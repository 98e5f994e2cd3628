package filter_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/wakupm/wakupm/service/internal/servicetest"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// connectWaitSubscribe is a light client that behaves as js-waku does: it
// connects, redials 20 ms after every close, and subscribes after wait. It
// returns how many connections it opened and the subscribe status (0: it
// had no connection or the request failed).
func connectWaitSubscribe(t *testing.T, r *servicetest.Rig, wait time.Duration) (opened int, status uint32) {
	ctx, cancel := context.WithTimeout(t.Context(), wait+30*time.Second)
	defer cancel()
	h := r.Client(0).Host
	server := r.Net.Node(servicetest.Server)
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if h.Network().Connectedness(server.ID()) != network.Connected {
			if err := h.Connect(ctx, server.AddrInfo()); err == nil {
				opened++
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if h.Network().Connectedness(server.ID()) != network.Connected {
		if err := h.Connect(ctx, server.AddrInfo()); err != nil {
			return opened, 0
		}
		opened++
	}
	resp, err := servicetest.Filter(ctx, h, server.ID(), sub("late", ct))
	if err != nil {
		return opened, 0
	}
	return opened, resp.StatusCode
}

// TestConnectThenWaitBeforeSubscribing (SLOT-11, SLOT-12): a client that
// connects and subscribes 60 s later. Without a waiting room (the behaviour
// before SLOT-11) it is closed at the end of every grace period and comes
// back; with the default it keeps one connection and is served.
func TestConnectThenWaitBeforeSubscribing(t *testing.T) {
	for _, c := range []struct {
		name    string
		opts    []gater.Option
		maxConn int
	}{
		{"no waiting room", []gater.Option{gater.WithWaiting(0, 0)}, 0},
		{"default", nil, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := servicetest.New(t, servicetest.Config{Clients: 1, Budget: budget(t, slots.Reserved{Filter: 4, LightPush: 4}), GaterOptions: c.opts})
				opened, status := connectWaitSubscribe(t, r, 60*time.Second)
				st := r.Gater.Stats(time.Now())
				t.Logf("%s: %d connections opened in 60 s, subscribe status %d, refusals %v", c.name, opened, status, st.Ledger.Refused)
				if c.maxConn > 0 && (opened != c.maxConn || status != 200) {
					t.Errorf("opened %d connections (want %d), status %d (want 200)", opened, c.maxConn, status)
				}
				if c.maxConn == 0 && opened < 2 {
					t.Errorf("without a waiting room the client was not churned (%d connections)", opened)
				}
			})
		})
	}
}
