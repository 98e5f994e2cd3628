package selector_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/protocols"
)

// Every connection of the light client drops and comes back 8 s later
// (longer than the disconnect grace), as on a switch between wifi and
// cellular: no pool member is replaced or benched, Select returns the
// same pooled peers and health comes back to what it was. Three ways:
// the network drops them with no word from the client, the client says
// it is offline first, and the client closes them itself (status-go's
// DisconnectAllPeers).
func TestNetworkChangeBacksNoPeerOff(t *testing.T) {
	for _, tc := range []struct {
		name string
		drop func(r *lightClientRig)
		back func(r *lightClientRig)
	}{
		{"silent", func(r *lightClientRig) { r.dropAllFromNetwork() }, func(*lightClientRig) {}},
		{"set-offline-first", func(r *lightClientRig) {
			r.sel.SetOnline(false)
			r.dropAllFromNetwork()
		}, func(r *lightClientRig) { r.sel.SetOnline(true) }},
		{"client-closes", func(r *lightClientRig) { require.NoError(r.t, r.sel.DisconnectAll()) }, func(*lightClientRig) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newLightClientRig(t)
				defer r.sel.Close()
				r.rateLimited.Store(false)
				r.discoverAndConnect()
				push := r.selectPush(lightClientShard0)
				filter, err := r.sel.Select(t.Context(), selection.ForShard(protocols.FilterSubscribe, lightClientShard0, 0))
				require.NoError(t, err)
				require.Equal(t, selection.LightSufficientlyHealthy, r.sel.Health(lightClientShard0))

				tc.drop(r)
				time.Sleep(8 * time.Second)
				require.NotEqual(t, selection.LightSufficientlyHealthy, r.sel.Health(lightClientShard0), "no live member while cut off")
				tc.back(r)
				for i := 1; i <= 6; i++ {
					require.NoError(t, r.nw.Connect(t.Context(), 0, i))
				}
				time.Sleep(12 * time.Second) // past the grace and two ticks

				for i := 1; i <= 6; i++ {
					for _, proto := range []protocol.ID{protocols.LightPush, protocols.FilterSubscribe} {
						_, benched := r.sel.BenchedUntil(r.id(i), proto)
						require.False(t, benched, "host %d benched for %s", i, proto)
						require.Zero(t, r.sel.Failures(r.id(i), proto), "host %d failures for %s", i, proto)
					}
				}
				require.ElementsMatch(t, push, r.selectPush(lightClientShard0), "same light-push peers")
				again, err := r.sel.Select(t.Context(), selection.ForShard(protocols.FilterSubscribe, lightClientShard0, 0))
				require.NoError(t, err)
				require.ElementsMatch(t, filter, again, "same filter peers")
				require.Equal(t, selection.LightSufficientlyHealthy, r.sel.Health(lightClientShard0))
				r.drain()
				for _, e := range r.notes {
					require.NotEqual(t, selection.NotifyPeerReplaced, e.Kind, "%v", e.Notification)
				}
				require.NotZero(t, r.sel.Stats().ExcusedFailures)
			})
		})
	}
}

// dropAllFromNetwork closes every connection from the service hosts' side,
// as a network change does: the client did not ask for it.
func (r *lightClientRig) dropAllFromNetwork() {
	for i := 1; i <= 6; i++ {
		require.NoError(r.t, r.nw.Node(i).Host.Network().ClosePeer(r.client.ID()))
	}
	require.Eventually(r.t, func() bool { return len(r.client.Network().Peers()) == 0 }, 5*time.Second, 100*time.Millisecond)
}
