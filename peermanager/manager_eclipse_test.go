package peermanager_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
)

var eclipse = flag.Bool("eclipse", false, "run TestEclipseBySilentInboundPeers")

// The eclipse network: node 0 is the victim; nodes 1..eclipseHonest are
// honest relays on the shard; the eclipseSilent others are attackers, each
// on its own IP, that join the shard's topic, graft and stay in meshes, but
// never forward a message (their validator ignores everything) and keep
// dialling the victim. Discovery lists only the honest nodes.
const (
	eclipseHonest = 10
	eclipseSilent = 30
	eclipseShard  = 0
)

// TestEclipseBySilentInboundPeers measures what an eclipse attempt by many
// silent inbound peers keeps from the victim, with Waku peer scoring on
// every node and the Manager (WakupmPreset: inbound target 20, outbound
// target and quota 10) on the victim and the honest nodes: the victim's
// delivery ratio, its mesh by direction and by kind of peer, and its
// connections. The Manager never learns that a silent peer is silent
// (P3, mesh message deliveries, is off in Waku's scoring), so what protects
// the victim is the outbound peers it chose itself (the quota) and
// gossipsub's Dout outbound mesh members.
//
// About 20 s of wall time (more under -race): it runs with -eclipse only.
func TestEclipseBySilentInboundPeers(t *testing.T) {
	if !*eclipse {
		t.Skip("a measurement: run it with -eclipse")
	}
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		topic := shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: eclipseShard}.PubsubTopic()
		total := 1 + eclipseHonest + eclipseSilent
		trackers := make([]*shardmesh.Tracker, total)
		nw := simhost.NewT(t, total, simhost.WithSeed(6), simhost.WithPubsubOptions(func(i int) []pubsub.Option {
			opts := []pubsub.Option{wakugossip.RelayProtocol(), wakugossip.PeerScoring(topic)}
			if i > eclipseHonest {
				return opts
			}
			tr, err := shardmesh.NewTracker()
			if err != nil {
				t.Fatal(err)
			}
			trackers[i] = tr
			tracer, err := gossipsub.NewTracer(tr)
			if err != nil {
				t.Fatal(err)
			}
			return append(opts, tracer.Option())
		}))
		dir := &directory{cluster: shardmesh.ClusterTWN, entries: map[peer.ID]dirEntry{}, rng: rand.New(rand.NewPCG(6, 1))}
		var on shardmesh.ShardSet
		on.Add(eclipseShard)
		for _, n := range nw.Nodes()[1 : eclipseHonest+1] {
			dir.set(n.ID(), n.Host.Addrs(), on)
		}
		subs := make([]*pubsub.Subscription, total)
		topics := make([]*pubsub.Topic, total)
		for i, n := range nw.Nodes() {
			if i > eclipseHonest {
				ignore := func(context.Context, peer.ID, *pubsub.Message) pubsub.ValidationResult {
					return pubsub.ValidationIgnore
				}
				if err := n.PubSub.RegisterTopicValidator(topic, ignore); err != nil {
					t.Fatal(err)
				}
			}
			tp, err := n.PubSub.Join(topic)
			if err != nil {
				t.Fatal(err)
			}
			if topics[i], err = tp, nil; i > eclipseHonest {
				// An attacker subscribes (it must, to be grafted) and
				// drops what it gets.
				if subs[i], err = tp.Subscribe(); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if subs[i], err = tp.Subscribe(); err != nil {
				t.Fatal(err)
			}
		}
		// The attackers answer metadata with the victim's shard, as an
		// honest relay would (else the victim drops them on The Waku
		// Network, RELAY-27), and connect first: the victim's inbound
		// side is full of them before its Manager starts.
		for _, n := range nw.Nodes()[eclipseHonest+1:] {
			md, err := metadata.NewService(n.Host, shardmesh.ClusterTWN, metadata.WithShards(func() shardmesh.ShardSet { return on }))
			if err != nil {
				t.Fatal(err)
			}
			md.Start()
			defer func() {
				if err := md.Close(); err != nil {
					t.Error(err)
				}
			}()
		}
		victim := nw.Node(0)
		ctx := t.Context()
		redial := func() {
			for _, n := range nw.Nodes()[eclipseHonest+1:] {
				if n.Host.Network().Connectedness(victim.ID()) != network.Connected {
					_ = n.Host.Connect(ctx, victim.AddrInfo())
				}
			}
		}
		redial()
		mgrs := make([]*peermanager.Manager, eclipseHonest+1)
		for i := range mgrs {
			cfg := relay.WakupmPreset()
			cfg.Seed = uint64(i + 1)
			m, err := peermanager.NewManager(nw.Node(i).Host, peermanager.WithConfig(cfg),
				peermanager.WithTracker(trackers[i]), peermanager.WithDiscoverer(dir))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Subscribe(shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: eclipseShard}); err != nil {
				t.Fatal(err)
			}
			if err := m.Start(); err != nil {
				t.Fatal(err)
			}
			mgrs[i] = m
		}
		defer func() {
			for _, m := range mgrs {
				if err := m.Close(); err != nil {
					t.Error(err)
				}
			}
		}()

		// Two minutes: the attackers redial every 10 s; from 30 s on, an
		// honest node publishes every second.
		received := make(chan string, 1024)
		go func() {
			for {
				msg, err := subs[0].Next(ctx)
				if err != nil {
					return
				}
				received <- string(msg.Data)
			}
		}()
		rng := rand.New(rand.NewPCG(6, 2))
		published := 0
		for s := 1; s <= 120; s++ {
			time.Sleep(time.Second)
			if s%10 == 0 {
				redial()
			}
			if s >= 30 {
				from := 1 + rng.IntN(eclipseHonest)
				if err := topics[from].Publish(ctx, []byte(fmt.Sprintf("m%d", s))); err != nil {
					t.Fatal(err)
				}
				published++
			}
		}
		time.Sleep(5 * time.Second)
		got := map[string]bool{}
		for len(received) > 0 {
			got[<-received] = true
		}
		report(t, nw, victim, trackers[0], topic, len(got), published)
		subs[0].Cancel()
	})
}

// report logs and checks the victim's delivery ratio, mesh and connections.
func report(t *testing.T, nw *simhost.Network, victim *simhost.Node, tr *shardmesh.Tracker, topic string, got, published int) {
	t.Helper()
	attacker := map[peer.ID]bool{}
	for _, n := range nw.Nodes()[eclipseHonest+1:] {
		attacker[n.ID()] = true
	}
	var conns [2][2]int // [attacker][outbound]
	for _, c := range victim.Host.Network().Conns() {
		conns[b2i(attacker[c.RemotePeer()])][b2i(c.Stat().Direction == network.DirOutbound)]++
	}
	var mesh [2][2]int
	for _, p := range tr.MeshPeers(shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: eclipseShard}) {
		id := peer.ID(p)
		out := false
		for _, c := range victim.Host.Network().ConnsToPeer(id) {
			out = out || c.Stat().Direction == network.DirOutbound
		}
		mesh[b2i(attacker[id])][b2i(out)]++
	}
	ratio := float64(got) / float64(published)
	t.Logf("victim: delivery %d/%d (%.1f %%); connections honest in/out %d/%d, silent in/out %d/%d; "+
		"mesh honest in/out %d/%d, silent in/out %d/%d", got, published, 100*ratio,
		conns[0][0], conns[0][1], conns[1][0], conns[1][1], mesh[0][0], mesh[0][1], mesh[1][0], mesh[1][1])
	_ = topic
	if ratio < 0.99 {
		t.Errorf("delivery ratio %.3f at the victim", ratio)
	}
	if mesh[0][1] < wakugossip.Dout {
		t.Errorf("victim keeps %d honest outbound mesh peers, want >= Dout (%d)", mesh[0][1], wakugossip.Dout)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
