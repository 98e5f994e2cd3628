package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peermanager/relay"
)

// policy is a way of managing a node's connections, compared with others
// on the same scenario.
type policy interface {
	Name() string
	// NewNode prepares the policy of one honest node before its host
	// exists (a policy may need host or pubsub options).
	NewNode(spec *NodeSpec, sc *Scenario) nodePolicy
}

// nodePolicy manages one node. The engine calls HostOptions and
// PubsubOptions while building the node, Start once it has joined, and Stop
// when it leaves or the run ends; Stop returns after every goroutine the
// policy started has ended.
type nodePolicy interface {
	HostOptions() []libp2p.Option
	PubsubOptions() []pubsub.Option
	Start(env *nodeEnv) error
	Stop()
	Stats() policyStats
	// ServesMetadata reports whether the policy answers the metadata
	// protocol itself; otherwise the engine does, with the node's shards.
	ServesMetadata() bool
}

// nodeEnv is what a started policy can use.
type nodeEnv struct {
	Spec      *NodeSpec
	Scenario  *Scenario
	Host      host.Host
	PubSub    *pubsub.PubSub
	Discovery *discovery
	// Bootstrap is the records of the node's bootnodes.
	Bootstrap []candidate
	Rand      randSource
	Log       *slog.Logger
}

// randSource is the random generator a node's discovery lookups draw from
// (the oracle serialises its use).
type randSource = *rand.Rand

// policyStats is what a policy itself did.
type policyStats struct {
	Dials        int // dial attempts
	DialFailures int
	Disconnects  int // connections it closed
	// DisconnectsBy counts Disconnects by reason (policies that say why).
	DisconnectsBy map[string]int
}

func (s *policyStats) add(o policyStats) {
	s.Dials += o.Dials
	s.DialFailures += o.DialFailures
	s.Disconnects += o.Disconnects
	for k, v := range o.DisconnectsBy {
		if s.DisconnectsBy == nil {
			s.DisconnectsBy = map[string]int{}
		}
		s.DisconnectsBy[k] += v
	}
}

// dialTimeout bounds one dial, like the 10 s of nwaku (waku/node/peer_manager/
// peer_manager.nim, DefaultDialTimeout, at 7d1c6aba).
const dialTimeout = 10 * time.Second

// dialer counts dials; embed it in policies that dial directly.
type dialer struct {
	dials, failures atomic.Int64
}

func (d *dialer) dial(ctx context.Context, h host.Host, info peer.AddrInfo) error {
	d.dials.Add(1)
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	if err := h.Connect(ctx, info); err != nil {
		d.failures.Add(1)
		return err
	}
	return nil
}

// dialAll dials every candidate not yet connected, in parallel, and waits.
func (d *dialer) dialAll(ctx context.Context, h host.Host, cands []candidate) {
	var wg sync.WaitGroup
	for _, c := range cands {
		if c.Info.ID == "" || c.Info.ID == h.ID() || h.Network().Connectedness(c.Info.ID) == network.Connected {
			continue
		}
		wg.Go(func() { _ = d.dial(ctx, h, c.Info) })
	}
	wg.Wait()
}

func (d *dialer) stats() policyStats {
	return policyStats{Dials: int(d.dials.Load()), DialFailures: int(d.failures.Load())}
}

// loop runs body every interval in its own goroutine until Stop.
type loop struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func startLoop(interval time.Duration, body func(ctx context.Context)) *loop {
	ctx, cancel := context.WithCancel(context.Background())
	l := &loop{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			body(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return l
}

func (l *loop) stop() {
	if l != nil {
		l.cancel()
		<-l.done
	}
}

// staticPolicy is the baseline without a peer manager: every 10 s, while it
// has fewer than MaxConns/3 connections, it looks up peers advertising one
// of its shards and dials them. It never prunes and accepts every inbound
// connection.
type staticPolicy struct{}

func (staticPolicy) Name() string { return PolicyStatic }

func (staticPolicy) NewNode(*NodeSpec, *Scenario) nodePolicy { return &staticNode{} }

type staticNode struct {
	dialer
	loop *loop
}

func (*staticNode) ServesMetadata() bool           { return false }
func (*staticNode) HostOptions() []libp2p.Option   { return nil }
func (*staticNode) PubsubOptions() []pubsub.Option { return nil }
func (n *staticNode) Stats() policyStats           { return n.dialer.stats() }
func (n *staticNode) Stop()                        { n.loop.stop() }
func (n *staticNode) Start(env *nodeEnv) error {
	target := max(env.Scenario.MaxConns/3, 1)
	first := true
	n.loop = startLoop(10*time.Second, func(ctx context.Context) {
		if first {
			first = false
			n.dialAll(ctx, env.Host, env.Bootstrap)
		}
		missing := target - len(env.Host.Network().Peers())
		if missing <= 0 || ctx.Err() != nil {
			return
		}
		n.dialAll(ctx, env.Host, env.Discovery.lookup(ctx, env.Spec.Index, env.Spec.Subscribed, missing, env.Rand))
	})
	return nil
}

// sybilNode is an adversary: it keeps MaxConns connections to whatever
// discovery returns, taking slots from honest nodes, until it leaves.
type sybilNode struct {
	dialer
	loop *loop
}

func (*sybilNode) ServesMetadata() bool           { return false }
func (*sybilNode) HostOptions() []libp2p.Option   { return nil }
func (*sybilNode) PubsubOptions() []pubsub.Option { return nil }
func (n *sybilNode) Stats() policyStats           { return n.dialer.stats() }
func (n *sybilNode) Stop()                        { n.loop.stop() }
func (n *sybilNode) Start(env *nodeEnv) error {
	n.loop = startLoop(15*time.Second, func(ctx context.Context) {
		missing := env.Scenario.MaxConns - len(env.Host.Network().Peers())
		if missing > 0 && ctx.Err() == nil {
			n.dialAll(ctx, env.Host, env.Discovery.lookup(ctx, env.Spec.Index, env.Spec.Subscribed, missing, env.Rand))
		}
	})
	return nil
}

// liarNode is an adversary that only answers: discovery and metadata
// advertise every shard, but it joins no topic.
type liarNode struct{}

func (liarNode) ServesMetadata() bool           { return false }
func (liarNode) HostOptions() []libp2p.Option   { return nil }
func (liarNode) PubsubOptions() []pubsub.Option { return nil }
func (liarNode) Start(*nodeEnv) error           { return nil }
func (liarNode) Stop()                          {}
func (liarNode) Stats() policyStats             { return policyStats{} }

// policyByName returns the policy called name.
func policyByName(name string) (policy, error) {
	switch name {
	case PolicyStatic:
		return staticPolicy{}, nil
	case PolicyWakuPM:
		return managerPolicy{name: name, preset: relay.WakupmPreset}, nil
	case PolicyNwaku:
		return managerPolicy{name: name, preset: relay.NwakuPreset}, nil
	case PolicyGoWaku:
		return managerPolicy{name: name, preset: relay.GoWakuPreset}, nil
	}
	return nil, fmt.Errorf("policy %q is not available in this build", name)
}
