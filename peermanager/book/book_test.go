package book

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wakupm/wakupm/peerid"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

var t0 = time.Unix(1_700_000_000, 0)

func pid(i int) peerid.ID { return peerid.ID(fmt.Sprintf("peer-%05d", i)) }

func shards(idx ...uint16) shardmesh.ShardSet {
	s, err := shardmesh.ShardSetOf(idx...)
	if err != nil {
		panic(err)
	}
	return s
}

// sh is shard i of the test books' cluster, 1.
func sh(i uint16) shardmesh.Shard { return shardmesh.Shard{Cluster: 1, Index: i} }

func enrPeer(i int, cluster uint16, caps shardmesh.Capabilities, idx ...uint16) DiscoveredPeer {
	return DiscoveredPeer{ID: pid(i), Origin: OriginDiscv5, HasENR: true, Cluster: cluster,
		HasShards: true, Shards: shards(idx...), Caps: caps}
}

func newTestBook(t testing.TB, opts ...Option) *Book {
	t.Helper()
	b, err := New(1, opts...)
	require.NoError(t, err)
	return b
}

func ids(s PeerSet) []peerid.ID {
	var out []peerid.ID
	for i := range s.Len() {
		out = append(out, s.At(i).ID())
	}
	slices.Sort(out)
	return out
}

func TestBookIndexesDiscoveredPeersByProtocolAndShard(t *testing.T) {
	b := newTestBook(t)
	relay, store := b.MustProtocol(protocols.Relay), b.MustProtocol(protocols.Store)
	_, err := b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 2, 5), t0)
	require.NoError(t, err)
	_, err = b.Discover(enrPeer(2, 1, shardmesh.CapRelay|shardmesh.CapStore, 5), t0)
	require.NoError(t, err)

	require.Equal(t, []peerid.ID{pid(1), pid(2)}, ids(b.Peers(relay, sh(5), false)))
	require.Equal(t, []peerid.ID{pid(1)}, ids(b.Peers(relay, sh(2), false)))
	require.Equal(t, []peerid.ID{pid(2)}, ids(b.Peers(store, sh(5), false)))
	require.Zero(t, b.Peers(store, sh(2), false).Len())
	require.Zero(t, b.Peers(relay, sh(5), true).Len(), "nobody is connected yet")
}

func TestBookConnectionMovesPeerBetweenBucketsAndCountsOutbound(t *testing.T) {
	b := newTestBook(t)
	relay := b.MustProtocol(protocols.Relay)
	for i := range 3 {
		_, err := b.Discover(enrPeer(i, 1, shardmesh.CapRelay, 7), t0)
		require.NoError(t, err)
	}
	b.Connected(pid(0), Outbound, netip.MustParseAddr("10.0.0.1"), t0)
	b.Connected(pid(1), Inbound, netip.MustParseAddr("10.0.0.1"), t0)

	conn := b.Peers(relay, sh(7), true)
	require.Equal(t, 2, conn.Len())
	require.Equal(t, 1, conn.Outbound())
	require.Equal(t, []peerid.ID{pid(2)}, ids(b.Peers(relay, sh(7), false)))
	require.Equal(t, 2, b.ConnectedOnIP(netip.MustParseAddr("10.0.0.1")))

	b.Disconnected(pid(0), t0.Add(time.Second))
	require.Equal(t, 1, b.Peers(relay, sh(7), true).Len())
	require.Zero(t, b.Peers(relay, sh(7), true).Outbound())
	require.Equal(t, 1, b.ConnectedOnIP(netip.MustParseAddr("10.0.0.1")))
}

func TestBookMetadataOverridesENRShardsAndCluster(t *testing.T) {
	b := newTestBook(t)
	relay := b.MustProtocol(protocols.Relay)
	_, err := b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 1, 2), t0)
	require.NoError(t, err)
	b.MetadataReceived(pid(1), 1, shards(3), t0)

	p := b.Get(pid(1))
	got, src := p.Shards()
	require.Equal(t, ShardsFromMetadata, src)
	require.Equal(t, shards(3), got)
	enr, ok := p.ENRShards()
	require.True(t, ok)
	require.Equal(t, shards(1, 2), enr, "the ENR view is kept next to the metadata one")
	require.Zero(t, b.Peers(relay, sh(1), false).Len())
	require.Equal(t, 1, b.Peers(relay, sh(3), false).Len())

	// A later ENR does not override fresher metadata.
	_, err = b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 4), t0)
	require.NoError(t, err)
	require.Zero(t, b.Peers(relay, sh(4), false).Len())

	// Metadata saying another cluster takes the peer out of every index.
	b.MetadataReceived(pid(1), 16, shards(3), t0)
	require.Zero(t, b.Peers(relay, sh(3), false).Len())
	c, known := b.Get(pid(1)).Cluster()
	require.True(t, known)
	require.Equal(t, uint16(16), c)
}

func TestBookIdentifyReplacesENRCapabilities(t *testing.T) {
	b := newTestBook(t)
	relay, lp := b.MustProtocol(protocols.Relay), b.MustProtocol(protocols.LightPush)
	_, err := b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 0), t0)
	require.NoError(t, err)
	require.True(t, b.Get(pid(1)).Supports(relay))

	b.Identified(pid(1), []string{protocols.LightPush, "/ipfs/id/1.0.0", "/some/untracked/1"}, t0)
	p := b.Get(pid(1))
	require.False(t, p.Supports(relay), "identify is authoritative once it ran")
	require.True(t, p.Supports(lp))
	require.Equal(t, []string{protocols.LightPush}, b.Protocols(p), "untracked protocols are not kept")
	require.Zero(t, b.Peers(relay, sh(0), false).Len())
	require.Equal(t, 1, b.Peers(lp, sh(0), false).Len())
}

func TestBookOtherClusterAndUnknownShards(t *testing.T) {
	b := newTestBook(t)
	relay := b.MustProtocol(protocols.Relay)
	_, err := b.Discover(enrPeer(1, 2, shardmesh.CapRelay, 0), t0)
	require.NoError(t, err)
	require.Zero(t, b.Peers(relay, sh(0), false).Len(), "another cluster is never indexed")
	require.False(t, b.Get(pid(1)).Supports(relay) && b.Get(pid(1)).at.indexed)

	_, err = b.Discover(DiscoveredPeer{ID: pid(2), Origin: OriginPeerExchange, HasENR: true, Caps: shardmesh.CapRelay}, t0)
	require.NoError(t, err)
	require.Equal(t, []peerid.ID{pid(2)}, ids(b.PeersWithUnknownShards(relay, false)))
	_, src := b.Get(pid(2)).Shards()
	require.Equal(t, ShardsUnknown, src)

	b.MetadataReceived(pid(2), 1, shards(9), t0)
	require.Zero(t, b.PeersWithUnknownShards(relay, false).Len())
	require.Equal(t, 1, b.Peers(relay, sh(9), false).Len())
}

func TestBookOriginStaticIsSticky(t *testing.T) {
	b := newTestBook(t)
	_, err := b.Discover(DiscoveredPeer{ID: pid(1), Origin: OriginStatic}, t0)
	require.NoError(t, err)
	_, err = b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 0), t0)
	require.NoError(t, err)
	require.Equal(t, OriginStatic, b.Get(pid(1)).Origin())

	b.Connected(pid(2), Inbound, netip.Addr{}, t0)
	require.Equal(t, OriginInbound, b.Get(pid(2)).Origin())
	_, err = b.Discover(enrPeer(2, 1, shardmesh.CapRelay, 0), t0)
	require.NoError(t, err)
	require.Equal(t, OriginDiscv5, b.Get(pid(2)).Origin(), "discovery explains an inbound peer")
}

func TestBookBackoffAndRTT(t *testing.T) {
	b := newTestBook(t)
	_, err := b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 0), t0)
	require.NoError(t, err)
	require.True(t, b.SetDialing(pid(1), true, t0))
	require.Equal(t, Dialing, b.Get(pid(1)).Connectedness())
	require.Equal(t, 1, b.DialFailed(pid(1), t0.Add(time.Minute), t0))
	require.Equal(t, 2, b.DialFailed(pid(1), t0.Add(2*time.Minute), t0))
	p := b.Get(pid(1))
	require.Equal(t, NotConnected, p.Connectedness())
	require.True(t, p.InBackoff(t0.Add(time.Minute)))
	require.False(t, p.InBackoff(t0.Add(2*time.Minute)))
	b.ResetBackoff(pid(1))
	require.Zero(t, p.DialFailures())
	require.False(t, p.InBackoff(t0))

	_, ok := p.RTT()
	require.False(t, ok)
	b.ObserveRTT(pid(1), 80*time.Millisecond, t0)
	b.ObserveRTT(pid(1), 160*time.Millisecond, t0)
	rtt, ok := p.RTT()
	require.True(t, ok)
	require.Equal(t, 90*time.Millisecond, rtt, "EWMA with weight 1/8")
}

func TestBookEvictsLeastUsefulDisconnectedPeersFirst(t *testing.T) {
	b := newTestBook(t, WithCapacity(6))
	b.SetWanted(shards(1))
	mustDiscover := func(d DiscoveredPeer, at time.Time) {
		t.Helper()
		_, err := b.Discover(d, at)
		require.NoError(t, err)
	}
	mustDiscover(DiscoveredPeer{ID: pid(0), Origin: OriginStatic}, t0)    // static: never
	mustDiscover(enrPeer(1, 1, shardmesh.CapRelay, 1), t0)                // wanted, will connect
	b.Connected(pid(1), Outbound, netip.Addr{}, t0)                       // connected: never
	mustDiscover(enrPeer(2, 1, shardmesh.CapRelay, 1), t0)                // wanted, kept
	b.Keep(pid(2), true)                                                  // kept: never
	mustDiscover(enrPeer(3, 7, shardmesh.CapRelay, 1), t0.Add(time.Hour)) // other cluster
	mustDiscover(enrPeer(4, 1, shardmesh.CapRelay, 5), t0.Add(time.Hour)) // off our shards
	mustDiscover(enrPeer(5, 1, shardmesh.CapRelay, 1), t0)                // wanted, old
	require.Equal(t, 6, b.Len())

	// A useful newcomer evicts the other-cluster peer first.
	mustDiscover(enrPeer(6, 1, shardmesh.CapRelay, 1), t0.Add(2*time.Hour))
	require.Nil(t, b.Get(pid(3)))
	require.Equal(t, 6, b.Len())
	// Then the off-shard one.
	mustDiscover(enrPeer(7, 1, shardmesh.CapRelay, 1), t0.Add(2*time.Hour))
	require.Nil(t, b.Get(pid(4)))
	// Then the oldest wanted one.
	mustDiscover(enrPeer(8, 1, shardmesh.CapRelay, 1), t0.Add(2*time.Hour))
	require.Nil(t, b.Get(pid(5)))
	require.Equal(t, 3, b.Evictions())

	// A newcomer from another cluster is less useful than everyone left.
	_, err := b.Discover(enrPeer(9, 7, shardmesh.CapRelay, 1), t0.Add(3*time.Hour))
	require.ErrorIs(t, err, ErrBookFull)
	for _, keep := range []int{0, 1, 2} {
		require.NotNil(t, b.Get(pid(keep)))
	}
	// Connected peers are recorded even when full.
	b.Connected(pid(10), Inbound, netip.Addr{}, t0.Add(3*time.Hour))
	require.NotNil(t, b.Get(pid(10)))
}

func TestNewBookValidatesOptions(t *testing.T) {
	_, err := New(1, WithCapacity(0))
	require.Error(t, err)
	_, err = New(1, WithTrackedProtocols())
	require.Error(t, err)
	_, err = New(1, WithTrackedProtocols(TrackedProtocol{ID: "/a"}, TrackedProtocol{ID: "/a"}))
	require.Error(t, err)
	_, ok := newTestBook(t).Protocol("/not/tracked")
	require.False(t, ok)
}

// TestBookIndexesMatchFullScan drives a book with random operations and
// checks after each one that every bucket holds exactly the peers a full
// scan of the records says it should.
func TestBookIndexesMatchFullScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	b := newTestBook(t, WithCapacity(40))
	b.SetWanted(shards(0, 1, 2))
	now := t0
	const nPeers, nShards = 60, 6
	for step := range 3000 {
		now = now.Add(time.Second)
		id := pid(rng.IntN(nPeers))
		op := rng.IntN(9)
		if step >= 570 {
			t.Logf("op %d", op)
		}
		switch op {
		case 0, 1:
			d := enrPeer(0, uint16(1+rng.IntN(4)/3), shardmesh.Capabilities(rng.IntN(16)), uint16(rng.IntN(nShards)), uint16(rng.IntN(nShards)))
			d.ID, d.HasShards = id, rng.IntN(4) != 0
			_, _ = b.Discover(d, now)
		case 2:
			dir := Inbound
			if rng.IntN(2) == 0 {
				dir = Outbound
			}
			b.Connected(id, dir, netip.AddrFrom4([4]byte{10, 0, 0, byte(rng.IntN(4))}), now)
		case 3:
			b.Disconnected(id, now)
		case 4:
			b.Identified(id, []string{protocols.Relay, protocols.Store, protocols.PeerExchange}[:rng.IntN(4)], now)
		case 5:
			b.MetadataReceived(id, uint16(1+rng.IntN(5)/4), shards(uint16(rng.IntN(nShards))), now)
		case 6:
			b.Remove(id)
		case 7:
			b.SetDialing(id, rng.IntN(2) == 0, now)
		case 8:
			b.DialFailed(id, now.Add(time.Minute), now)
		}
		if step >= 570 && step <= 573 {
			t.Logf("step %d id %s", step, id)
		}
		checkIndexes(t, b, step)
	}
}

func checkIndexes(t *testing.T, b *Book, step int) {
	t.Helper()
	ipCount := map[netip.Addr]int{}
	for p := range b.All() {
		if p.Connectedness() == Connected && p.IP().IsValid() {
			ipCount[p.IP()]++
		}
	}
	require.Equal(t, ipCount, b.connectedIP, "step %d: per-IP counts", step)
	var conn []peerid.ID
	connOut := 0
	for p := range b.All() {
		if p.Connectedness() == Connected {
			conn = append(conn, p.ID())
			if p.Direction() == Outbound {
				connOut++
			}
		}
	}
	slices.Sort(conn)
	require.Equal(t, conn, ids(b.ConnectedPeers()), "step %d: connected list", step)
	require.Equal(t, connOut, b.ConnectedPeers().Outbound(), "step %d: connected outbound", step)
	for r := range b.protos.list {
		ref := ProtocolRef(r)
		for _, connected := range []bool{false, true} {
			for s := range uint16(8) {
				var want []peerid.ID
				wantOut := 0
				for p := range b.All() {
					c, known := p.Cluster()
					on, src := p.Shards()
					if (known && c != b.Cluster()) || src == ShardsUnknown || !on.Contains(s) ||
						p.supportedMask(&b.protos)&(1<<ref) == 0 || (p.Connectedness() == Connected) != connected {
						continue
					}
					want = append(want, p.ID())
					if connected && p.Direction() == Outbound {
						wantOut++
					}
				}
				slices.Sort(want)
				set := b.Peers(ref, sh(s), connected)
				require.Equal(t, want, ids(set), "step %d: bucket (%d, %d, %v)", step, r, s, connected)
				require.Equal(t, wantOut, set.Outbound(), "step %d: outbound (%d, %d)", step, r, s)
			}
		}
	}
}

// Light push v2 and v3 share the ENR `lightpush` bit: tracking both, a
// peer known only by its ENR is indexed for neither, and identify decides.
func TestSharedCapabilityWaitsForIdentify(t *testing.T) {
	b, err := New(1, WithTrackedProtocols(
		TrackedProtocol{protocols.LightPush, CapabilityOf(protocols.LightPush)},
		TrackedProtocol{protocols.LightPushLegacy, CapabilityOf(protocols.LightPushLegacy)},
		TrackedProtocol{protocols.FilterSubscribe, CapabilityOf(protocols.FilterSubscribe)}))
	if err != nil {
		t.Fatal(err)
	}
	set, _ := shardmesh.ShardSetOf(0)
	now := time.Unix(0, 0)
	p, err := b.Discover(DiscoveredPeer{ID: "a", Origin: OriginDiscv5, HasENR: true, Cluster: 1, HasShards: true,
		Shards: set, Caps: shardmesh.CapLightPush | shardmesh.CapFilter}, now)
	if err != nil {
		t.Fatal(err)
	}
	v3, v2, f := b.MustProtocol(protocols.LightPush), b.MustProtocol(protocols.LightPushLegacy), b.MustProtocol(protocols.FilterSubscribe)
	if p.Supports(v3) || p.Supports(v2) || !p.Supports(f) {
		t.Fatalf("before identify: v3 %v v2 %v filter %v, want false false true", p.Supports(v3), p.Supports(v2), p.Supports(f))
	}
	b.Identified("a", []string{protocols.LightPush}, now)
	if !p.Supports(v3) || p.Supports(v2) {
		t.Fatalf("identified v3 only: v3 %v v2 %v", p.Supports(v3), p.Supports(v2))
	}
}
