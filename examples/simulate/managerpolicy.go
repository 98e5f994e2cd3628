package main

import (
	"context"
	"math"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
)

// managerPolicy runs the library's relay peermanager.Manager on each honest
// node, with one of its presets: the same shell and core for every policy,
// only the Config differs (targets, dialling, pruning, backoff, discovery).
type managerPolicy struct {
	name   string
	preset func() relay.Config
}

func (p managerPolicy) Name() string { return p.name }

func (p managerPolicy) NewNode(spec *NodeSpec, sc *Scenario) nodePolicy {
	cfg := p.preset()
	cfg.Cluster = sc.Cluster
	cfg.Seed = sc.Seed*1_000_003 + uint64(spec.Index)
	cfg.InboundTarget, cfg.OutboundTarget = relayTargets(p.name, sc.MaxConns)
	if cfg.Prune == relay.PruneByCoverage {
		cfg.OutboundQuota = cfg.OutboundTarget
	}
	cfg.OutboundQuota = min(cfg.OutboundQuota, cfg.OutboundTarget)
	return &managerNode{cfg: cfg}
}

// relayTargets derives each implementation's inbound and outbound relay
// targets from the connection limit with its own formula (nwaku
// waku/node/peer_manager/peer_manager.nim:1038-1132; go-waku
// waku/v2/peermanager/peer_manager.go:108-122,186-200):
// nwaku relay = ceil(0.6 max), out = relay div 3; go-waku relay = max -
// max/5, out = max(relay/3, 10); wakupm out 20 % and in 40 % of max (the
// presets' 10 and 20 at 50), the rest for service slots.
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

// Background discovery is the same for every policy: nwaku and go-waku run
// discv5 continuously and add what it finds to the peer store.
const (
	backgroundLookupEvery = 30 * time.Second
	backgroundLookupSize  = 4 // per subscribed shard
)

type managerNode struct {
	cfg     relay.Config
	tracker *shardmesh.Tracker
	mgr     *peermanager.Manager
}

func (*managerNode) ServesMetadata() bool         { return true }
func (*managerNode) HostOptions() []libp2p.Option { return nil }

// PubsubOptions installs the node's mesh tracker, which the Manager follows.
func (n *managerNode) PubsubOptions() []pubsub.Option {
	var err error
	if n.tracker, err = shardmesh.NewTracker(shardmesh.WithCluster(n.cfg.Cluster)); err != nil {
		panic(err) // these options cannot fail
	}
	tr, err := gossipsub.NewTracer(n.tracker)
	if err != nil {
		panic(err)
	}
	return []pubsub.Option{tr.Option()}
}

func (n *managerNode) Start(env *nodeEnv) error {
	mgr, err := peermanager.NewManager(env.Host,
		peermanager.WithConfig(n.cfg),
		peermanager.WithTracker(n.tracker),
		peermanager.WithDiscoverer(&simDiscoverer{d: env.Discovery, self: env.Spec.Index, rng: env.Rand}),
		peermanager.WithBackgroundDiscovery(backgroundLookupEvery, backgroundLookupSize),
		peermanager.WithLogger(env.Log))
	if err != nil {
		return err
	}
	for s := range env.Spec.Subscribed.All() {
		if err := mgr.Subscribe(shardmesh.Shard{Cluster: n.cfg.Cluster, Index: s}); err != nil {
			return err
		}
	}
	for _, c := range env.Bootstrap {
		mgr.AddPeer(discoveredPeer(c), c.Info.Addrs)
	}
	n.mgr = mgr
	return mgr.Start()
}

func (n *managerNode) Stop() {
	if n.mgr != nil {
		_ = n.mgr.Close()
	}
}

func (n *managerNode) Stats() policyStats {
	if n.mgr == nil {
		return policyStats{}
	}
	st := n.mgr.Snapshot().Stats
	out := policyStats{Dials: int(st.DialsStarted), DialFailures: int(st.DialsFailed + st.DialsExpired),
		DisconnectsBy: map[string]int{}}
	for _, r := range relay.DisconnectReasons() {
		if d := int(st.Disconnects[r]); d > 0 {
			out.Disconnects += d
			out.DisconnectsBy[r.String()] += d
		}
	}
	return out
}

// simDiscoverer serves the Manager's discovery from the simulator's oracle.
type simDiscoverer struct {
	d    *discovery
	self int
	rng  randSource
}

var _ peermanager.Discoverer = (*simDiscoverer)(nil)

func (s *simDiscoverer) FindPeers(ctx context.Context, shard shardmesh.Shard, n int, found func(book.DiscoveredPeer, []ma.Multiaddr)) error {
	var want shardmesh.ShardSet
	want.Add(shard.Index)
	for _, c := range s.d.lookup(ctx, s.self, want, n, s.rng) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if c.Cluster == shard.Cluster {
			found(discoveredPeer(c), c.Info.Addrs)
		}
	}
	return nil
}

// discoveredPeer is what a discv5 record of c tells the Manager.
func discoveredPeer(c candidate) book.DiscoveredPeer {
	var ip netip.Addr
	for _, a := range c.Info.Addrs {
		if raw, err := manet.ToIP(a); err == nil {
			if addr, ok := netip.AddrFromSlice(raw); ok {
				ip = addr.Unmap()
				break
			}
		}
	}
	return book.DiscoveredPeer{
		ID: peerid.ID(c.Info.ID), Origin: book.OriginDiscv5, HasENR: true, Cluster: c.Cluster,
		HasShards: true, Shards: c.Shards, Caps: shardmesh.CapRelay, IP: ip,
	}
}
