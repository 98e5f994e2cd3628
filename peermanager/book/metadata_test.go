package book

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wakupm/wakupm/peerid"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// TestBookMetadataExpiresAfterTTL: metadata of a connected peer stays; once
// the peer is gone it lasts the TTL from the disconnection, to the
// nanosecond, then the ENR shards and cluster speak for the peer again, in
// the indexes too.
func TestBookMetadataExpiresAfterTTL(t *testing.T) {
	b := newTestBook(t)
	require.Equal(t, DefaultMetadataTTL, b.MetadataTTL())
	relay := b.MustProtocol(protocols.Relay)
	_, err := b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 1), t0)
	require.NoError(t, err)
	b.Connected(pid(1), Inbound, netip.Addr{}, t0)
	b.MetadataReceived(pid(1), 1, shards(2), t0)

	at := t0.Add(7 * time.Hour)
	require.Empty(t, b.ExpireMetadata(nil, at), "metadata of a connected peer expired")
	b.Disconnected(pid(1), at)
	require.Empty(t, b.ExpireMetadata(nil, at.Add(DefaultMetadataTTL-time.Nanosecond)))
	set, src := b.Get(pid(1)).Shards()
	require.Equal(t, ShardsFromMetadata, src)
	require.Equal(t, shards(2), set)
	require.Equal(t, []peerid.ID{pid(1)}, ids(b.Peers(relay, sh(2), false)))

	require.Equal(t, []peerid.ID{pid(1)}, b.ExpireMetadata(nil, at.Add(DefaultMetadataTTL)))
	set, src = b.Get(pid(1)).Shards()
	require.Equal(t, ShardsFromENR, src)
	require.Equal(t, shards(1), set)
	_, has := b.Get(pid(1)).MetadataShards()
	require.False(t, has)
	require.Equal(t, []peerid.ID{pid(1)}, ids(b.Peers(relay, sh(1), false)))
	require.Empty(t, ids(b.Peers(relay, sh(2), false)))
	require.Empty(t, b.ExpireMetadata(nil, at.Add(48*time.Hour)), "expired twice")
}

func TestBookMetadataExpiryFallsBackOnCluster(t *testing.T) {
	b := newTestBook(t)
	// ENR on cluster 1, metadata says cluster 16: after expiry, the ENR's.
	_, err := b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 1), t0)
	require.NoError(t, err)
	b.MetadataReceived(pid(1), 16, shards(1), t0)
	// No ENR: a peer found on another cluster stays known as such.
	b.Connected(pid(2), Inbound, netip.Addr{}, t0)
	b.Identified(pid(2), []string{protocols.Relay}, t0)
	b.MetadataReceived(pid(2), 16, shards(1), t0)
	b.Disconnected(pid(2), t0)

	require.ElementsMatch(t, []peerid.ID{pid(1), pid(2)}, b.ExpireMetadata(nil, t0.Add(DefaultMetadataTTL)))
	c, ok := b.Get(pid(1)).Cluster()
	require.True(t, ok)
	require.Equal(t, uint16(1), c)
	c, ok = b.Get(pid(2)).Cluster()
	require.True(t, ok)
	require.Equal(t, uint16(16), c)
	_, src := b.Get(pid(2)).Shards()
	require.Equal(t, ShardsUnknown, src)
	require.Empty(t, ids(b.PeersWithUnknownShards(b.MustProtocol(protocols.Relay), false)),
		"a peer of another cluster indexed after its metadata expired")
}

func TestBookMetadataTTLRefreshAndOptions(t *testing.T) {
	b := newTestBook(t, WithMetadataTTL(time.Hour))
	_, err := b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 1), t0)
	require.NoError(t, err)
	b.MetadataReceived(pid(1), 1, shards(2), t0)
	// A newer exchange restarts the TTL; a connection suspends it.
	b.MetadataReceived(pid(1), 1, shards(3), t0.Add(30*time.Minute))
	require.Empty(t, b.ExpireMetadata(nil, t0.Add(time.Hour)))
	b.Connected(pid(1), Outbound, netip.Addr{}, t0.Add(time.Hour))
	require.Empty(t, b.ExpireMetadata(nil, t0.Add(5*time.Hour)))
	b.Disconnected(pid(1), t0.Add(5*time.Hour))
	require.Equal(t, []peerid.ID{pid(1)}, b.ExpireMetadata(nil, t0.Add(6*time.Hour)))

	never := newTestBook(t, WithMetadataTTL(0))
	never.Connected(pid(1), Inbound, netip.Addr{}, t0)
	never.MetadataReceived(pid(1), 1, shards(2), t0)
	never.Disconnected(pid(1), t0)
	require.Empty(t, never.ExpireMetadata(nil, t0.Add(1000*time.Hour)))

	_, err = New(1, WithMetadataTTL(-time.Second))
	require.Error(t, err)
}

// TestBookMetadataExpiryMatchesModel drives many peers through random
// connections, disconnections, exchanges, removals and expiry sweeps, and
// checks after each sweep that exactly the peers whose metadata is older
// than the TTL (counted from the exchange or the last disconnection, and
// never while connected) lost it.
func TestBookMetadataExpiryMatchesModel(t *testing.T) {
	const ttl = time.Hour
	for seed := range 50 {
		rng := rand.New(rand.NewPCG(uint64(seed), 3))
		b := newTestBook(t, WithMetadataTTL(ttl), WithCapacity(1000))
		type model struct {
			known, connected, hasMD bool
			base                    time.Time
		}
		peers := make([]model, 40)
		now := t0
		for step := range 400 {
			i := rng.IntN(len(peers))
			m := &peers[i]
			switch rng.IntN(6) {
			case 0:
				b.Connected(pid(i), Inbound, netip.Addr{}, now)
				m.known, m.connected = true, true
			case 1:
				if m.known {
					b.Disconnected(pid(i), now)
					if m.connected {
						m.base = now
					}
					m.connected = false
				}
			case 2:
				if m.known {
					b.MetadataReceived(pid(i), 1, shards(uint16(rng.IntN(8))), now)
					m.hasMD, m.base = true, now
				}
			case 3:
				if m.known && !m.connected && rng.IntN(4) == 0 {
					b.Remove(pid(i))
					*m = model{}
				}
			case 4:
				now = now.Add(time.Duration(rng.IntN(40)) * time.Minute)
			case 5:
				b.ExpireMetadata(nil, now)
				for j := range peers {
					pm := &peers[j]
					if pm.hasMD && !pm.connected && !now.Before(pm.base.Add(ttl)) {
						pm.hasMD = false
					}
					if !pm.known {
						continue
					}
					_, has := b.Get(pid(j)).MetadataShards()
					if has != pm.hasMD {
						t.Fatalf("seed %d step %d: peer %d has metadata %v, want %v", seed, step, j, has, pm.hasMD)
					}
				}
			}
		}
	}
}
