package book

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// TestBookSlotsAndHolds: a removed record is no longer held, its slot goes
// to the next record, and that record is a new *Peer, so an owner's side
// table keyed by slot tells the two apart.
func TestBookSlotsAndHolds(t *testing.T) {
	b := newTestBook(t)
	p1, err := b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 3), t0)
	require.NoError(t, err)
	p2, err := b.Discover(enrPeer(2, 1, shardmesh.CapRelay, 3), t0)
	require.NoError(t, err)
	require.NotEqual(t, p1.Slot(), p2.Slot())
	require.Equal(t, 2, b.Slots())
	require.True(t, b.Holds(p1))
	require.False(t, b.Holds(nil))

	require.True(t, b.Remove(pid(1)))
	require.False(t, b.Holds(p1))
	p3, err := b.Discover(enrPeer(3, 1, shardmesh.CapRelay, 3), t0)
	require.NoError(t, err)
	require.Equal(t, p1.Slot(), p3.Slot(), "the free slot is reused")
	require.NotSame(t, p1, p3)
	require.True(t, b.Holds(p3))
	require.False(t, b.Holds(p1))
	require.Equal(t, 2, b.Slots())
}

func TestBookRestoreDialFailures(t *testing.T) {
	b := newTestBook(t)
	_, err := b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 0), t0)
	require.NoError(t, err)
	require.Equal(t, 1, b.DialFailed(pid(1), t0.Add(time.Minute), t0))
	require.Equal(t, 2, b.DialFailed(pid(1), t0.Add(time.Minute), t0))
	b.ResetBackoff(pid(1))
	require.Zero(t, b.Get(pid(1)).DialFailures())
	b.RestoreDialFailures(pid(1), 2)
	require.Equal(t, 3, b.DialFailed(pid(1), t0.Add(time.Minute), t0), "counting goes on from the restored count")
	b.RestoreDialFailures(pid(9), 5) // unknown: ignored
	require.Nil(t, b.Get(pid(9)))
}

func TestBookIndexReadsForOwners(t *testing.T) {
	b := newTestBook(t)
	relay, store := b.MustProtocol(protocols.Relay), b.MustProtocol(protocols.Store)
	require.False(t, b.AnyPeerSupports(relay))
	p, err := b.Discover(enrPeer(1, 1, shardmesh.CapRelay, 4, 9), t0)
	require.NoError(t, err)
	require.True(t, b.AnyPeerSupports(relay))
	require.False(t, b.AnyPeerSupports(store))
	require.False(t, b.AnyPeerSupports(ProtocolRef(63)), "a reference the book does not have")

	require.True(t, b.IndexedOn(p, relay, sh(9)))
	require.False(t, b.IndexedOn(p, relay, sh(5)))
	require.False(t, b.IndexedOn(p, store, sh(9)))
	require.False(t, b.IndexedOn(p, relay, shardmesh.Shard{Cluster: 2, Index: 9}), "another cluster")
	require.Equal(t, shards(4, 9), p.IndexedShards())
	require.Zero(t, b.Peers(relay, shardmesh.Shard{Cluster: 2, Index: 9}, false).Len())

	other, err := b.Discover(enrPeer(2, 7, shardmesh.CapRelay, 4), t0)
	require.NoError(t, err)
	require.True(t, other.IndexedShards().Empty(), "a peer of another cluster is indexed nowhere")

	tracked := b.TrackedProtocols()
	require.Equal(t, DefaultTrackedProtocols(), tracked)
	tracked[0].ID = "/changed"
	require.Equal(t, protocols.Relay, b.TrackedProtocols()[0].ID, "a copy")
}

func TestBookOptionErrors(t *testing.T) {
	for name, opt := range map[string]Option{
		"WithCapacity":           WithCapacity(0),
		"WithTrackedProtocols":   WithTrackedProtocols(),
		"WithMetadataTTL":        WithMetadataTTL(-time.Second),
		"WithColocationIPv6Bits": WithColocationIPv6Bits(129),
	} {
		_, err := New(1, opt)
		var oe *OptionError
		require.True(t, errors.As(err, &oe), "%s: %v", name, err)
		require.Equal(t, name, oe.Option)
		require.Contains(t, err.Error(), "book: invalid option "+name+": ")
	}
}

func TestBookColocationIPv6Prefix(t *testing.T) {
	a, c := netip.MustParseAddr("2001:db8:1:2::1"), netip.MustParseAddr("2001:db8:1:2::ff")
	perAddress := newTestBook(t, WithColocationIPv6Bits(128))
	require.NotEqual(t, perAddress.ColocationGroup(a), perAddress.ColocationGroup(c))
	by64 := newTestBook(t, WithColocationIPv6Bits(64))
	require.Equal(t, by64.ColocationGroup(a), by64.ColocationGroup(c))
	by64.Connected(pid(1), Inbound, a, t0)
	by64.Connected(pid(2), Inbound, c, t0)
	require.Equal(t, 2, by64.ConnectedOnIP(a))
}
