package selector_test

import (
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// A light client and 6 service hosts (real libp2p hosts, QUIC on the
// simulated network, virtual time):
//
//   - a light-push host answering 429 is replaced at once and backed off
//     for the rate-limit bench time: no request goes to it meanwhile;
//   - the two light-push peers in use are killed: the light-push pool moves
//     to live peers on the lost connection (1 failure), the filter pool
//     after the keep-alive's failed ping (2 failures), within the
//     configured thresholds, and never to a killed peer.
func TestSelectorLightClientOnSimulatedNetwork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rig := newLightClientRig(t)
		defer rig.sel.Close()
		rig.discoverAndConnect()
		rig.checkRateLimitedHostBenched()
		rig.checkKilledPeersReplaced()
	})
}

// The keep-alive of the light client in TestSelectorLightClientOnSimulatedNetwork.
const (
	lightClientPingInterval = 10 * time.Second
	lightClientPingTimeout  = 3 * time.Second
)

var (
	lightClientShard0 = shardmesh.Shard{Cluster: 1, Index: 0}
	lightClientShard2 = shardmesh.Shard{Cluster: 1, Index: 2}
)

// lightClientRig is the network of TestSelectorLightClientOnSimulatedNetwork:
// node 0 is the light client running sel, nodes 1-6 serve light push and
// filter; node 6 answers light push with 429 while rateLimited is set.
type lightClientRig struct {
	t           *testing.T
	nw          *simhost.Network
	client      host.Host
	hosts       map[peer.ID]int // node index of each service host
	rateLimited atomic.Bool
	sel         *selector.Selector
	notes       []timedNote // drained notifications
}

func newLightClientRig(t *testing.T) *lightClientRig {
	r := &lightClientRig{t: t, hosts: map[peer.ID]int{}}
	r.nw = simhost.NewT(t, 7, simhost.WithoutPubsub())
	r.client = r.nw.Node(0).Host
	r.rateLimited.Store(true)
	for i := 1; i <= 6; i++ {
		h := r.nw.Node(i).Host
		r.hosts[h.ID()] = i
		status := func() uint32 { return 200 }
		if i == 6 {
			status = func() uint32 {
				if r.rateLimited.Load() {
					return 429
				}
				return 200
			}
		}
		serveStatus(h, protocols.LightPush, status)
		serveStatus(h, protocols.FilterSubscribe, func() uint32 { return 200 })
	}
	sel, err := selector.New(selector.WithHost(r.client), selector.WithNotificationBuffer(4096),
		selector.WithKeepalive(selector.KeepaliveConfig{Interval: lightClientPingInterval,
			Timeout: lightClientPingTimeout, Parallel: selector.DefaultKeepaliveParallel}))
	require.NoError(t, err)
	r.sel = sel
	return r
}

func (r *lightClientRig) id(i int) peer.ID    { return r.nw.Node(i).ID() }
func (r *lightClientRig) pid(i int) peerid.ID { return peerid.ID(r.id(i)) }

// discover hands node i to the selector as from a peer-exchange ENR
// announcing the shards idx of cluster 1.
func (r *lightClientRig) discover(i int, idx ...uint16) {
	set, err := shardmesh.ShardSetOf(idx...)
	require.NoError(r.t, err)
	n := r.nw.Node(i)
	r.client.Peerstore().AddAddrs(n.ID(), n.Host.Addrs(), peerstore.PermanentAddrTTL)
	require.NoError(r.t, r.sel.AddPeer(book.DiscoveredPeer{ID: peerid.ID(n.ID()), Origin: book.OriginPeerExchange,
		HasENR: true, Cluster: 1, HasShards: true, Shards: set, Caps: shardmesh.CapFilter | shardmesh.CapLightPush}))
}

// discoverAndConnect: hosts 1-4 serve shard 0, hosts 5-6 shard 2.
func (r *lightClientRig) discoverAndConnect() {
	for i := 1; i <= 4; i++ {
		r.discover(i, 0)
	}
	r.discover(5, 2)
	r.discover(6, 2)
	for i := 1; i <= 6; i++ {
		require.NoError(r.t, r.nw.Connect(r.t.Context(), 0, i))
	}
	time.Sleep(time.Second) // identify
}

func (r *lightClientRig) drain() {
	for {
		select {
		case e := <-r.sel.Notifications():
			r.notes = append(r.notes, timedNote{time.Now(), e})
		default:
			return
		}
	}
}

func (r *lightClientRig) selectPush(shard shardmesh.Shard) []peer.ID {
	r.t.Helper()
	ids, err := r.sel.Select(r.t.Context(), selection.ForShard(protocols.LightPush, shard, 0))
	require.NoError(r.t, err)
	return ids
}

func (r *lightClientRig) publish(shard shardmesh.Shard, ids []peer.ID) {
	r.t.Helper()
	for _, p := range ids {
		require.NoError(r.t, r.sel.Report(p, protocols.LightPush, lightPush(r.t.Context(), r.client, p, shard)))
	}
}

// send publishes through every selected light-push peer and reports each
// outcome, as a light client's send loop does.
func (r *lightClientRig) send(shard shardmesh.Shard) []peer.ID {
	r.t.Helper()
	ids := r.selectPush(shard)
	r.publish(shard, ids)
	return ids
}

// checkRateLimitedHostBenched is phase 1: the 429 host.
func (r *lightClientRig) checkRateLimitedHostBenched() {
	t, sel, shard2 := r.t, r.sel, lightClientShard2
	used := r.selectPush(shard2)
	require.ElementsMatch(t, []peer.ID{r.id(5), r.id(6)}, used, "shard 2 is served by hosts 5 and 6 only")
	r.discover(4, 0, 2) // host 4 starts serving shard 2 as well: a spare
	before := time.Now()
	r.publish(shard2, used)
	after := time.Now()
	r.drain()
	replaced := find(r.notes, func(e selection.Notification) bool { return e.Kind == selection.NotifyPeerReplaced })
	require.Len(t, replaced, 1)
	require.Equal(t, r.pid(6), replaced[0].Peer)
	require.Equal(t, selection.OutcomeRateLimited, replaced[0].Outcome)
	require.Equal(t, r.pid(4), replaced[0].Replacement)
	until, benched := sel.BenchedUntil(r.id(6), protocols.LightPush)
	require.True(t, benched)
	require.False(t, until.Before(before.Add(10*time.Second)) || until.After(after.Add(10*time.Second)),
		"rate-limit backoff of 10 s from the 429, got until %v (request between %v and %v)", until, before, after)
	r.rateLimited.Store(false)
	for time.Now().Before(until) {
		require.NotContains(t, r.send(shard2), r.id(6), "backed off: no request to the 429 host")
		req := selection.Request{Protocol: protocols.LightPush, Shard: shard2, Count: 1,
			Exclude: []peerid.ID{r.pid(4), r.pid(5)}, NoPool: true}
		_, err := sel.Select(t.Context(), req)
		require.ErrorIs(t, err, selection.ErrAllInBackoff)
		time.Sleep(time.Second)
	}
	req := selection.Request{Protocol: protocols.LightPush, Shard: shard2, Count: 1,
		Exclude: []peerid.ID{r.pid(4), r.pid(5)}, NoPool: true}
	back, err := sel.Select(t.Context(), req)
	require.NoError(t, err)
	require.Equal(t, []peer.ID{r.id(6)}, back, "eligible again after its backoff")
}

// checkKilledPeersReplaced is phase 2: kill the two light-push peers in use
// on shard 0.
func (r *lightClientRig) checkKilledPeersReplaced() {
	t, sel, shard0 := r.t, r.sel, lightClientShard0
	victims := r.send(shard0)
	require.Len(t, victims, 2)
	filterPool, err := sel.Select(t.Context(), selection.ForShard(protocols.FilterSubscribe, shard0, 0))
	require.NoError(t, err)
	require.Equal(t, selection.LightSufficientlyHealthy, sel.Health(shard0))
	var survivors []peer.ID
	for i := 1; i <= 4; i++ {
		if !slices.Contains(victims, r.id(i)) {
			survivors = append(survivors, r.id(i))
		}
	}
	r.drain()
	r.notes = nil
	killedAt := time.Now()
	for _, v := range victims {
		require.NoError(t, r.nw.Node(r.hosts[v]).Close())
	}
	pushAt, filterAt := r.waitPoolsSettled(victims, killedAt)
	r.drain()
	t.Logf("light-push pool settled %v after the kill, filter pool %v (keep-alive every %v, timeout %v)",
		pushAt, filterAt, lightClientPingInterval, lightClientPingTimeout)
	require.NotZero(t, pushAt, "light-push pool never moved to live peers: %v", r.poolMembers(protocols.LightPush))
	require.NotZero(t, filterAt, "filter pool never moved to live peers: %v", r.poolMembers(protocols.FilterSubscribe))
	// Light push: 1 failure, the lost connection, seen as soon as the
	// connection closes (at worst by the next keep-alive ping).
	require.LessOrEqual(t, pushAt, lightClientPingInterval+lightClientPingTimeout)
	// Filter: 2 failures; the lost connection and one failed ping.
	killedFilter := slices.ContainsFunc(filterPool, func(p peer.ID) bool { return slices.Contains(victims, p) })
	require.True(t, killedFilter || filterAt <= time.Second, "filter pool %v", filterPool)
	require.LessOrEqual(t, filterAt, lightClientPingInterval+lightClientPingTimeout+time.Second)
	require.ElementsMatch(t, survivors, r.poolMembers(protocols.LightPush))
	require.ElementsMatch(t, survivors, r.poolMembers(protocols.FilterSubscribe))
	for _, e := range r.notes {
		require.NotContains(t, victims, peer.ID(e.Replacement), "a pool never moves to a killed peer (%v)", e)
	}
	for _, v := range victims {
		_, benched := sel.BenchedUntil(v, protocols.LightPush)
		require.True(t, benched, "a killed peer is benched")
	}
	for _, p := range r.send(shard0) {
		require.Contains(t, survivors, p)
	}
	require.Equal(t, selection.LightSufficientlyHealthy, sel.Health(shard0))
	st := sel.Stats()
	require.Zero(t, st.NotificationsDropped)
}

// waitPoolsSettled polls both shard-0 pools every 500 ms (30 s at most) and
// returns how long after killedAt each first settled (0: never).
func (r *lightClientRig) waitPoolsSettled(victims []peer.ID, killedAt time.Time) (pushAt, filterAt time.Duration) {
	for step := 0; step < 60 && (pushAt == 0 || filterAt == 0); step++ {
		time.Sleep(500 * time.Millisecond)
		if pushAt == 0 && r.poolSettled(protocols.LightPush, victims) {
			pushAt = time.Since(killedAt)
		}
		if filterAt == 0 && r.poolSettled(protocols.FilterSubscribe, victims) {
			filterAt = time.Since(killedAt)
		}
	}
	return pushAt, filterAt
}

func (r *lightClientRig) poolMembers(proto protocol.ID) []peer.ID {
	var out []peer.ID
	for _, m := range r.sel.Pool(proto, lightClientShard0) {
		out = append(out, peer.ID(m.ID))
	}
	return out
}

// poolSettled: the shard-0 pool of proto holds two live peers, none killed.
func (r *lightClientRig) poolSettled(proto protocol.ID, victims []peer.ID) bool {
	ms := r.sel.Pool(proto, lightClientShard0)
	if len(ms) != 2 {
		return false
	}
	for _, m := range ms {
		if slices.Contains(victims, peer.ID(m.ID)) || !m.Live {
			return false
		}
	}
	return true
}

type timedNote struct {
	at time.Time
	selection.Notification
}

func find(evs []timedNote, f func(selection.Notification) bool) []timedNote {
	var out []timedNote
	for _, e := range evs {
		if f(e.Notification) {
			out = append(out, e)
		}
	}
	return out
}
