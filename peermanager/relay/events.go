package relay

import (
	"net/netip"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"

	"github.com/wakupm/wakupm/shardmesh"
)

// Event is something that happened, an input of Core.Step. Events are
// plain values; a shell (peermanager.Manager, or a node's own) or a test
// builds them. Events naming a shard of another cluster than the core's
// are ignored.
type Event interface{ isEvent() }

// Subscribed: the node joined a shard of its cluster.
type Subscribed struct{ Shard shardmesh.Shard }

// Unsubscribed: the node left a shard.
type Unsubscribed struct{ Shard shardmesh.Shard }

// PeerDiscovered: discovery (discv5, peer exchange, static configuration)
// reported a peer.
type PeerDiscovered struct{ Peer book.DiscoveredPeer }

// PeerConnected: a first connection to the peer was established. IP is the
// remote IP of that connection (zero when unknown, e.g. relayed).
type PeerConnected struct {
	ID        peerid.ID
	Direction book.Direction
	IP        netip.Addr
}

// PeerDisconnected: the last connection to the peer closed.
type PeerDisconnected struct{ ID peerid.ID }

// PeerIdentified: identify reported the peer's protocols.
type PeerIdentified struct {
	ID        peerid.ID
	Protocols []string
}

// MetadataReceived: the metadata exchange with the peer succeeded.
type MetadataReceived struct {
	ID      peerid.ID
	Cluster uint16
	Shards  shardmesh.ShardSet
}

// MetadataFailed: the metadata exchange failed or the peer does not speak
// the protocol.
type MetadataFailed struct{ ID peerid.ID }

// TopicsAnnounced: the connected peer's gossipsub announcements (its hello
// and later SUBSCRIBE/UNSUBSCRIBE) say it is subscribed to these shard
// topics of our cluster (shardmesh.Tracker.Announced). Send it only once
// something was heard from the peer in gossipsub.
type TopicsAnnounced struct {
	ID     peerid.ID
	Shards shardmesh.ShardSet
}

// DialSucceeded: a dial the core asked for succeeded (the peer may already
// have been connected).
type DialSucceeded struct{ ID peerid.ID }

// DialFailed: a dial the core asked for failed or timed out. Cause is the
// shell's reading of the error (CauseUnknown when it has none); the core
// counts it and treats every cause alike.
type DialFailed struct {
	ID    peerid.ID
	Cause DialCause
}

// HealthChanged: the tracker's health of a shard changed.
type HealthChanged struct {
	Shard  shardmesh.Shard
	Health shardmesh.Health
}

// OnlineChanged: the node lost or regained network connectivity.
type OnlineChanged struct{ Online bool }

// DiscoveryDone: a Discover action for the shard finished (whatever it
// found arrives as PeerDiscovered events).
type DiscoveryDone struct{ Shard shardmesh.Shard }

// RTTMeasured: a ping to the peer took RTT.
type RTTMeasured struct {
	ID  peerid.ID
	RTT time.Duration
}

// ServicePeerChanged: the peer started or stopped being used as a service
// peer (a light client of ours, or our store/filter/light-push server);
// service peers are never pruned as relay peers.
type ServicePeerChanged struct {
	ID    peerid.ID
	InUse bool
}

// TargetsChanged: the connection budget changed the global relay targets.
type TargetsChanged struct{ Inbound, Outbound int }

// Tick: time passed; the core prunes, protects, expires dials and fills
// deficits. The shell ticks at Core.NextTick.
type Tick struct{}

func (Subscribed) isEvent()         {}
func (Unsubscribed) isEvent()       {}
func (PeerDiscovered) isEvent()     {}
func (PeerConnected) isEvent()      {}
func (PeerDisconnected) isEvent()   {}
func (PeerIdentified) isEvent()     {}
func (MetadataReceived) isEvent()   {}
func (MetadataFailed) isEvent()     {}
func (TopicsAnnounced) isEvent()    {}
func (DialSucceeded) isEvent()      {}
func (DialFailed) isEvent()         {}
func (HealthChanged) isEvent()      {}
func (OnlineChanged) isEvent()      {}
func (DiscoveryDone) isEvent()      {}
func (RTTMeasured) isEvent()        {}
func (ServicePeerChanged) isEvent() {}
func (TargetsChanged) isEvent()     {}
func (Tick) isEvent()               {}
