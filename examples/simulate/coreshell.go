package main

import (
	"context"
	"math"
	"net/netip"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	libp2pevent "github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/shardmesh"
)

// corePolicy runs a peermanager.Core preset on each honest node through a
// small shell written for the simulator: it turns host, identify, metadata,
// tracker and discovery notifications into Core events and carries out the
// Core's actions. It stands in for peermanager.Manager until that lands on
// main (the decisions are the Core's either way; only the plumbing is ours).
type corePolicy struct {
	name   string
	preset func() peermanager.Config
}

func (p corePolicy) Name() string { return p.name }

func (p corePolicy) NewNode(spec *NodeSpec, sc *Scenario) nodePolicy {
	cfg := p.preset()
	cfg.Cluster = sc.Cluster
	cfg.Seed = sc.Seed*1_000_003 + uint64(spec.Index)
	cfg.InboundTarget, cfg.OutboundTarget = relayTargets(p.name, sc.MaxConns)
	cfg.OutboundQuota = min(cfg.OutboundQuota, cfg.OutboundTarget)
	if cfg.Name == "wakupm" {
		cfg.OutboundQuota = cfg.OutboundTarget
	}
	return &coreNode{cfg: cfg}
}

// relayTargets derives each implementation's inbound and outbound relay
// targets from the connection limit, with its own formula (REFERENCE §3.1):
// nwaku relay = ceil(0.6 max), out = relay div 3; go-waku relay = max -
// max/5, out = max(relay/3, 10); wakupm (slots budget defaults) out 20 %,
// in 40 % of max, the rest for service slots.
func relayTargets(policy string, maxConns int) (in, out int) {
	switch policy {
	case PolicyNwaku:
		relay := int(math.Ceil(0.6 * float64(maxConns)))
		return relay - relay/3, relay / 3
	case PolicyGoWaku:
		relay := maxConns - maxConns/5
		out = max(relay/3, 10)
		return max(relay-out, 0), out
	}
	return max(maxConns*2/5, 1), max(maxConns/5, 1)
}

// Background discovery, the same for every policy: nwaku and go-waku run
// discv5 continuously and add what it finds to the peer store.
const (
	backgroundLookupEvery = 30 * time.Second
	backgroundLookupSize  = 16
	protectTag            = "wakupm-relay"
)

type coreNode struct {
	cfg     peermanager.Config
	tracker *shardmesh.Tracker

	mu   sync.Mutex // guards core
	core *peermanager.Core

	env    *nodeEnv
	meta   *metadata.Service
	nfy    network.Notifiee
	ctx    context.Context
	cancel context.CancelFunc

	// spawnMu orders goroutine starts (spawn) before Stop's Wait: callbacks
	// from libp2p may still arrive while the node stops.
	spawnMu sync.Mutex
	stopped bool
	wg      sync.WaitGroup

	qmu    sync.Mutex
	queue  []peermanager.Event
	signal chan struct{}
}

func (n *coreNode) ServesMetadata() bool         { return true }
func (n *coreNode) HostOptions() []libp2p.Option { return nil }

func (n *coreNode) PubsubOptions() []pubsub.Option {
	var err error
	if n.tracker, err = shardmesh.NewTracker(); err != nil {
		panic(err) // default options cannot fail
	}
	tr, err := shardmesh.NewTracer(n.tracker)
	if err != nil {
		panic(err)
	}
	return []pubsub.Option{tr.Option()}
}

func (n *coreNode) Stats() policyStats {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.core == nil {
		return policyStats{}
	}
	st := n.core.Stats()
	out := policyStats{Dials: int(st.DialsStarted), DialFailures: int(st.DialsFailed + st.DialsExpired)}
	for _, d := range st.Disconnects {
		out.Disconnects += int(d)
	}
	return out
}

func (n *coreNode) Start(env *nodeEnv) error {
	core, err := peermanager.NewCore(n.cfg)
	if err != nil {
		return err
	}
	n.core, n.env = core, env
	n.signal = make(chan struct{}, 1)
	n.ctx, n.cancel = context.WithCancel(context.Background())
	subscribed := env.Spec.Subscribed
	n.meta, err = metadata.NewService(env.Host, n.cfg.Cluster,
		metadata.WithShards(func() shardmesh.ShardSet { return subscribed }),
		metadata.WithRequestObserver(func(p peer.ID, m metadata.Metadata) { n.pushMetadata(p, m) }))
	if err != nil {
		return err
	}
	n.meta.Start()

	idSub, err := env.Host.EventBus().Subscribe(new(libp2pevent.EvtPeerIdentificationCompleted))
	if err != nil {
		return err
	}
	n.nfy = n.notifiee()
	env.Host.Network().Notify(n.nfy)

	for s := range subscribed.All() {
		n.push(peermanager.Subscribed{Shard: s})
	}
	n.discovered(env.Bootstrap)

	n.spawn(n.loop)
	n.spawn(func() {
		defer idSub.Close()
		for {
			select {
			case <-n.ctx.Done():
				return
			case e, ok := <-idSub.Out():
				if !ok {
					return
				}
				ev := e.(libp2pevent.EvtPeerIdentificationCompleted)
				n.push(peermanager.PeerIdentified{ID: ev.Peer, Protocols: ev.Protocols})
			}
		}
	})
	n.spawn(func() {
		t := time.NewTicker(backgroundLookupEvery)
		defer t.Stop()
		for {
			found := env.Discovery.lookup(env.Spec.Index, subscribed, backgroundLookupSize, env.Rand)
			if n.ctx.Err() != nil {
				return
			}
			n.discovered(found)
			select {
			case <-n.ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return nil
}

func (n *coreNode) Stop() {
	if n.cancel == nil {
		return
	}
	n.env.Host.Network().StopNotify(n.nfy)
	n.spawnMu.Lock()
	n.stopped = true
	n.spawnMu.Unlock()
	n.cancel()
	n.wg.Wait()
	_ = n.meta.Close()
}

// spawn runs f in a goroutine Stop waits for, unless the node is stopping.
func (n *coreNode) spawn(f func()) {
	n.spawnMu.Lock()
	defer n.spawnMu.Unlock()
	if n.stopped {
		return
	}
	n.wg.Go(f)
}

// push queues an event for the loop; it never blocks.
func (n *coreNode) push(ev peermanager.Event) {
	n.qmu.Lock()
	n.queue = append(n.queue, ev)
	n.qmu.Unlock()
	select {
	case n.signal <- struct{}{}:
	default:
	}
}

func (n *coreNode) pushMetadata(p peer.ID, m metadata.Metadata) {
	cluster, ok := m.ClusterID()
	if !ok {
		n.push(peermanager.MetadataFailed{ID: p})
		return
	}
	n.push(peermanager.MetadataReceived{ID: p, Cluster: cluster, Shards: m.Shards})
}

func (n *coreNode) discovered(cands []candidate) {
	for _, c := range cands {
		if c.Info.ID == "" {
			continue
		}
		n.env.Host.Peerstore().AddAddrs(c.Info.ID, c.Info.Addrs, peerstore.AddressTTL)
		var ip netip.Addr
		if len(c.Info.Addrs) > 0 {
			if a, err := manet.ToIP(c.Info.Addrs[0]); err == nil {
				ip, _ = netip.AddrFromSlice(a.To4())
			}
		}
		n.push(peermanager.PeerDiscovered{Peer: peermanager.DiscoveredPeer{
			ID: c.Info.ID, Origin: peermanager.OriginDiscv5, HasENR: true, Cluster: c.Cluster,
			HasShards: true, Shards: c.Shards, Caps: shardmesh.CapRelay, IP: ip,
		}})
	}
}

func (n *coreNode) notifiee() network.Notifiee {
	return &network.NotifyBundle{
		ConnectedF: func(nw network.Network, c network.Conn) {
			if len(nw.ConnsToPeer(c.RemotePeer())) != 1 {
				return
			}
			dir := peermanager.Inbound
			if c.Stat().Direction == network.DirOutbound {
				dir = peermanager.Outbound
			}
			var ip netip.Addr
			if a, err := manet.ToIP(c.RemoteMultiaddr()); err == nil {
				ip, _ = netip.AddrFromSlice(a.To4())
			}
			n.push(peermanager.PeerConnected{ID: c.RemotePeer(), Direction: dir, IP: ip})
			p := c.RemotePeer()
			n.spawn(func() {
				m, err := n.meta.Request(n.ctx, p)
				if n.ctx.Err() != nil {
					return
				}
				if err != nil {
					n.push(peermanager.MetadataFailed{ID: p})
					return
				}
				n.pushMetadata(p, m)
			})
		},
		DisconnectedF: func(nw network.Network, c network.Conn) {
			if nw.Connectedness(c.RemotePeer()) != network.Connected {
				n.push(peermanager.PeerDisconnected{ID: c.RemotePeer()})
			}
		},
	}
}

// loop is the only goroutine that steps the core.
func (n *coreNode) loop() {
	sub := n.tracker.Subscribe()
	defer sub.Close()
	timer := time.NewTimer(0)
	defer timer.Stop()
	var changes []shardmesh.ShardHealthChange
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-timer.C:
			n.step(peermanager.Tick{})
			n.mu.Lock()
			next := n.core.NextTick()
			n.mu.Unlock()
			timer.Reset(next)
		case <-sub.Ready():
			changes = sub.Next(changes[:0])
			for _, c := range changes {
				if c.Joined && c.Shard.Cluster == n.cfg.Cluster {
					n.step(peermanager.HealthChanged{Shard: c.Shard.Index, Health: c.Health})
				}
			}
		case <-n.signal:
			n.qmu.Lock()
			batch := n.queue
			n.queue = nil
			n.qmu.Unlock()
			for _, ev := range batch {
				n.step(ev)
			}
		}
	}
}

func (n *coreNode) step(ev peermanager.Event) {
	n.mu.Lock()
	actions := append([]peermanager.Action(nil), n.core.Step(time.Now(), ev)...)
	n.mu.Unlock()
	for _, a := range actions {
		n.execute(a)
	}
}

func (n *coreNode) execute(a peermanager.Action) {
	h := n.env.Host
	switch a.Kind {
	case peermanager.ActDial:
		id := a.Peer
		timeout := n.cfg.DialTimeout
		n.spawn(func() {
			ctx, cancel := context.WithTimeout(n.ctx, timeout)
			defer cancel()
			err := h.Connect(ctx, peer.AddrInfo{ID: id})
			if n.ctx.Err() != nil {
				return
			}
			if err != nil {
				n.push(peermanager.DialFailed{ID: id})
				return
			}
			n.push(peermanager.DialSucceeded{ID: id})
		})
	case peermanager.ActDisconnect:
		_ = h.Network().ClosePeer(a.Peer)
	case peermanager.ActDiscover:
		shard, count := a.Shard, a.Count
		n.spawn(func() {
			var want shardmesh.ShardSet
			want.Add(shard)
			found := n.env.Discovery.lookup(n.env.Spec.Index, want, count, n.env.Rand)
			if n.ctx.Err() != nil {
				return
			}
			n.discovered(found)
			n.push(peermanager.DiscoveryDone{Shard: shard})
		})
	case peermanager.ActProtect:
		h.ConnManager().Protect(a.Peer, protectTag)
	case peermanager.ActUnprotect:
		h.ConnManager().Unprotect(a.Peer, protectTag)
	}
}
