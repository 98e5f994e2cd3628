package ownshell_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// remote is a peer of the toy network: the shards it serves, whether it is
// up, and whether we are connected to it.
type remote struct {
	id        peerid.ID
	ip        netip.Addr
	shards    shardmesh.ShardSet
	up        bool
	connected bool
}

// shell is what a node on another libp2p writes around the cores: it turns
// its own notifications into core events and carries out the actions. Here
// the "network" is a map; a real shell would dial, read identify and
// metadata, and install a gossipsub tracer of its own version.
type shell struct {
	t       *testing.T
	cluster uint16
	now     time.Time
	core    *relay.Core
	tracker *shardmesh.Tracker
	health  *shardmesh.Subscription
	peers   map[peerid.ID]*remote
	ours    shardmesh.ShardSet
	dialled []peerid.ID
}

func (s *shell) step(ev relay.Event) {
	s.t.Helper()
	for _, a := range s.core.Step(ev, s.now) {
		s.do(a)
	}
}

// do carries out one action of the core.
func (s *shell) do(a relay.Action) {
	switch a.Kind {
	case relay.ActDial:
		s.dialled = append(s.dialled, a.Peer)
		r := s.peers[a.Peer]
		if r == nil || !r.up {
			s.step(relay.DialFailed{ID: a.Peer})
			return
		}
		s.connect(r)
		s.step(relay.DialSucceeded{ID: a.Peer})
	case relay.ActDisconnect:
		s.disconnect(s.peers[a.Peer])
	case relay.ActDiscover:
		for _, r := range s.peers {
			if r.up && r.shards.Contains(a.Shard.Index) {
				s.step(relay.PeerDiscovered{Peer: book.DiscoveredPeer{ID: r.id, Origin: book.OriginDiscv5, IP: r.ip,
					HasENR: true, Cluster: s.cluster, HasShards: true, Shards: r.shards, Caps: shardmesh.CapRelay}})
			}
		}
		s.step(relay.DiscoveryDone{Shard: a.Shard})
	case relay.ActProtect, relay.ActUnprotect, relay.ActNotify:
		// a real shell tags the connection manager or logs
	}
}

// connect is what the shell reports when a connection opens: the core hears
// of the connection, identify and metadata; the tracker hears gossipsub's
// announcements and, for shards both sides joined, the grafts.
func (s *shell) connect(r *remote) {
	r.connected = true
	s.step(relay.PeerConnected{ID: r.id, Direction: book.Outbound, IP: r.ip})
	s.step(relay.PeerIdentified{ID: r.id, Protocols: []string{protocols.Relay, protocols.Metadata}})
	s.step(relay.MetadataReceived{ID: r.id, Cluster: s.cluster, Shards: r.shards})
	s.tracker.SetDirection(r.id, shardmesh.Outbound)
	for idx := range r.shards.All() {
		sh := shardmesh.Shard{Cluster: s.cluster, Index: idx}
		s.tracker.Announce(r.id, sh, true)
		if s.ours.Contains(idx) {
			s.tracker.Graft(r.id, sh)
		}
	}
	announced, heard := s.tracker.Announced(r.id, s.cluster)
	if heard {
		s.step(relay.TopicsAnnounced{ID: r.id, Shards: announced})
	}
}

func (s *shell) disconnect(r *remote) {
	if r == nil || !r.connected {
		return
	}
	r.connected = false
	s.tracker.PeerGone(r.id)
	s.step(relay.PeerDisconnected{ID: r.id})
}

// feedHealth passes the tracker's coalesced health changes to the core.
func (s *shell) feedHealth() {
	select {
	case <-s.health.Ready():
	default:
		return
	}
	for _, c := range s.health.Next(nil) {
		s.step(relay.HealthChanged{Shard: c.Shard, Health: c.Health})
	}
}

// run advances virtual time tick by tick, as a shell's timer would.
func (s *shell) run(d time.Duration) {
	for end := s.now.Add(d); s.now.Before(end); s.now = s.now.Add(s.core.NextTick()) {
		s.feedHealth()
		s.step(relay.Tick{})
	}
	s.feedHealth()
}

func (s *shell) meshPeers(idx uint16) int {
	return len(s.tracker.MeshPeers(shardmesh.Shard{Cluster: s.cluster, Index: idx}))
}

func TestOwnShellDrivesTrackerAndRelayCore(t *testing.T) {
	const cluster = 16
	cfg := relay.WakupmPreset()
	cfg.Cluster = cluster
	core, err := relay.NewCore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tracker, err := shardmesh.NewTracker(shardmesh.WithCluster(cluster))
	if err != nil {
		t.Fatal(err)
	}
	s := &shell{t: t, cluster: cluster, now: time.Unix(1_700_000_000, 0), core: core, tracker: tracker,
		health: tracker.Subscribe(), peers: map[peerid.ID]*remote{}}
	defer s.health.Close()

	// 48 peers: 16 on shard 32, 16 on shard 64, 16 on shard 5 (not ours).
	for i := range 48 {
		idx := []uint16{32, 64, 5}[i%3]
		set, _ := shardmesh.ShardSetOf(idx)
		id := peerid.ID(fmt.Sprintf("peer-%02d", i))
		s.peers[id] = &remote{id: id, ip: netip.AddrFrom4([4]byte{192, 0, 2, byte(1 + i)}), shards: set, up: true}
	}
	for _, idx := range []uint16{32, 64} {
		sh := shardmesh.Shard{Cluster: cluster, Index: idx}
		s.ours.Add(idx)
		tracker.Join(sh) // gossipsub joined the topic: the shell's tracer reports it
		s.step(relay.Subscribed{Shard: sh})
	}
	s.run(30 * time.Second)

	for _, idx := range []uint16{32, 64} {
		sh := shardmesh.Shard{Cluster: cluster, Index: idx}
		if h := tracker.Health(sh); h != shardmesh.SufficientlyHealthy || s.meshPeers(idx) < core.Floor(sh) {
			t.Fatalf("shard %d: %v with %d mesh peers, floor %d", idx, h, s.meshPeers(idx), core.Floor(sh))
		}
	}
	for _, id := range s.dialled {
		if s.peers[id].shards.Contains(5) {
			t.Fatalf("dialled %s, which serves none of our shards", id)
		}
	}

	// Peers of shard 32 that are in our mesh go away: the shell reports
	// each departure to both cores; the tracker drops the peer from the
	// mesh, and the core dials replacements until the floor holds again.
	sh32 := shardmesh.Shard{Cluster: cluster, Index: 32}
	mesh := s.tracker.MeshPeers(sh32)
	gone := mesh[:len(mesh)-2]
	before := len(s.dialled)
	for _, id := range gone {
		s.peers[id].up = false
		s.disconnect(s.peers[id])
	}
	t.Logf("shard 32: %d mesh peers of 16 up; %d left, %d mesh peers right after", len(mesh), len(gone), s.meshPeers(32))
	s.run(2 * time.Minute)
	if s.meshPeers(32) < core.Floor(sh32) || tracker.Health(sh32) != shardmesh.SufficientlyHealthy {
		t.Fatalf("shard 32 did not recover: %d mesh peers, %v", s.meshPeers(32), tracker.Health(sh32))
	}
	if len(s.dialled) == before {
		t.Fatal("no dial after peers left")
	}
	for _, id := range gone {
		if n := countOf(s.dialled[before:], id); n > 1 {
			t.Fatalf("dialled %s, which is down, %d times in 2 min: its backoff did not hold", id, n)
		}
	}
}

func countOf(ids []peerid.ID, id peerid.ID) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}
