package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/marcopolo/simnet"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/metrics/telemetry"
	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/shardmesh"
)

// heartbeatPhase returns Waku's gossipsub parameters with the first
// heartbeat of node i delayed by a node-specific fraction of the interval.
// Nodes created at the same virtual instant would otherwise beat in
// lockstep: all graft at once, overshoot Dhi, prune each other and sit out
// a minute of prune backoff, which real networks (nodes started at
// different times) do not see.
func heartbeatPhase(i int) pubsub.GossipSubParams {
	p := wakugossip.Params()
	p.HeartbeatInitialDelay = 100*time.Millisecond + time.Duration((i*7919)%1000)*time.Millisecond
	return p
}

// simNode is one node of a run.
type simNode struct {
	spec   *NodeSpec
	node   *simhost.Node
	pol    nodePolicy
	probe  *probe
	bw     *metrics.BandwidthTracer
	conns  *connWatcher
	limit  *connLimit
	topics map[uint16]*pubsub.Topic
	relays []pubsub.RelayCancelFunc
	joined time.Time
	left   time.Time
	// meta answers the metadata protocol for nodes whose policy does not
	// (adversaries, the static baseline), with the advertised shards.
	meta *metadata.Service
	// telemetry builds the node's reports (honest nodes, with -telemetry
	// or -telemetry-file).
	telemetry *telemetry.Builder
}

// stop stops the node's policy, its relays and its metadata responder.
func (sn *simNode) stop() {
	sn.pol.Stop()
	for _, cancel := range sn.relays {
		cancel()
	}
	if sn.meta != nil {
		_ = sn.meta.Close()
	}
}

// connWatcher counts a host's connection events.
type connWatcher struct {
	outbound, inbound, closed atomic.Int64
}

func (w *connWatcher) notifiee() network.Notifiee {
	return &network.NotifyBundle{
		ConnectedF: func(_ network.Network, c network.Conn) {
			if c.Stat().Direction == network.DirOutbound {
				w.outbound.Add(1)
			} else {
				w.inbound.Add(1)
			}
		},
		DisconnectedF: func(network.Network, network.Conn) { w.closed.Add(1) },
	}
}

// engine runs one policy on one scenario. It must run inside a synctest
// bubble (virtual time); run owns every goroutine it starts and stops them
// all before returning.
type engine struct {
	cfg      Config
	sc       *Scenario
	pol      policy
	log      *slog.Logger
	progress func(virtual time.Duration, healthy float64)

	start time.Time
	nw    *simhost.Network
	disc  *discovery
	dlog  *deliveryLog
	nodes []*simNode // by scenario index; nil until joined
	roles map[peer.ID]Role
	// pending is the nodePolicy of the node being built, read by the
	// simhost option callbacks.
	pending *simNode
	samples []sample
	// telemetry is every report built, one request body each.
	telemetry []json.RawMessage
}

// runResult is what one run measured.
type runResult struct {
	Policy    string
	Samples   []sample
	Delivery  deliveryStats
	Bandwidth metrics.BandwidthSnapshot // honest nodes, merged
	// NodeSeconds is the virtual time honest nodes spent in the network,
	// summed: the denominator of per-node rates.
	NodeSeconds float64
	// ShardNodeSeconds is the same per shard, over the nodes subscribed to
	// it.
	ShardNodeSeconds map[uint16]float64
	HonestNodes      int
	PolicyStats      policyStats
	ConnsOpened      int // outbound connections established by honest nodes
	ConnsClosed      int // connections of honest nodes that closed (either side)
	WallSeconds      float64
	// Telemetry is the nodes' reports (see telemetry.go).
	Telemetry []json.RawMessage
}

func runScenario(cfg Config, sc *Scenario, pol policy, log *slog.Logger, progress func(time.Duration, float64)) (res *runResult, err error) {
	e := &engine{cfg: cfg, sc: sc, pol: pol, log: log, progress: progress, nodes: make([]*simNode, len(sc.Nodes)),
		roles: make(map[peer.ID]Role, len(sc.Nodes))}
	wallStart := monotonic()
	defer func() {
		if res != nil {
			res.WallSeconds = (monotonic() - wallStart).Seconds()
		}
	}()
	return e.run()
}

type eventKind uint8

const (
	evJoin eventKind = iota
	evLeave
	evPublish
	evSample
	evTelemetry
)

type event struct {
	at   time.Duration
	kind eventKind
	arg  int
}

func (e *engine) events() []event {
	var evs []event
	for i, n := range e.sc.Nodes {
		evs = append(evs, event{at: n.JoinAt, kind: evJoin, arg: i})
		if n.LeaveAt > 0 {
			evs = append(evs, event{at: n.LeaveAt, kind: evLeave, arg: i})
		}
	}
	for _, p := range e.sc.Publishes {
		evs = append(evs, event{at: p.At, kind: evPublish, arg: p.Seq})
	}
	for t := e.cfg.Sample; t <= e.sc.Duration; t += e.cfg.Sample {
		evs = append(evs, event{at: t, kind: evSample})
	}
	if e.cfg.telemetry() {
		for t := e.cfg.TelemetryInterval; t <= e.sc.Duration; t += e.cfg.TelemetryInterval {
			evs = append(evs, event{at: t, kind: evTelemetry})
		}
	}
	// Stable: joins in index order, then leaves, publishes and samples at
	// equal times.
	slices.SortStableFunc(evs, func(a, b event) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return int(a.kind) - int(b.kind)
	})
	return evs
}

func (e *engine) run() (*runResult, error) {
	e.start = time.Now()
	e.disc = newDiscovery(e.sc, e.start)
	e.dlog = newDeliveryLog(e.sc)
	nw, err := simhost.New(0,
		simhost.WithSeed(e.sc.Seed),
		simhost.WithLink(e.cfg.Bandwidth*1_000_000, e.cfg.Bandwidth*1_000_000),
		simhost.WithLatencyFunc(simnet.StaticLatency(e.cfg.Latency)),
		simhost.WithAddresses(func(i int) *net.UDPAddr {
			n := &e.sc.Nodes[i]
			return &net.UDPAddr{IP: simnet.IntToPublicIPv4(n.IP), Port: n.Port}
		}),
		simhost.WithHostOptions(func(int) []libp2p.Option {
			return append([]libp2p.Option{libp2p.ConnectionGater(e.pending.limit)}, e.pending.pol.HostOptions()...)
		}),
		simhost.WithPubsubOptions(func(i int) []pubsub.Option {
			return append([]pubsub.Option{
				pubsub.WithGossipSubParams(heartbeatPhase(i)),
				// Waku relay is gossipsub under its own protocol id, which
				// identify then reports and peer books index.
				wakugossip.RelayProtocol(),
				pubsub.WithRawTracer(e.pending.probe),
				pubsub.WithRawTracer(e.pending.bw),
				// Waku nodes subscribe to shards, they never just relay:
				// deliveries go to the probe, not to a subscriber queue.
			}, e.pending.pol.PubsubOptions()...)
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("building the simulated network: %w", err)
	}
	e.nw = nw
	defer e.teardown()

	for _, ev := range e.events() {
		time.Sleep(time.Until(e.start.Add(ev.at)))
		switch ev.kind {
		case evJoin:
			if err := e.join(ev.arg); err != nil {
				return nil, err
			}
		case evLeave:
			e.leave(ev.arg)
		case evPublish:
			e.publish(ev.arg)
		case evSample:
			s := e.sample(ev.at, ev.at >= e.sc.Duration)
			e.samples = append(e.samples, s)
			if e.progress != nil {
				e.progress(ev.at, s.sufficientFraction())
			}
		case evTelemetry:
			if err := e.recordTelemetry(); err != nil {
				return nil, err
			}
		}
	}
	return e.result(), nil
}

func (e *engine) join(i int) error {
	spec := &e.sc.Nodes[i]
	var pol nodePolicy
	switch spec.Role {
	case Honest:
		pol = e.pol.NewNode(spec, e.sc)
	case Sybil:
		pol = &sybilNode{}
	case Liar:
		pol = liarNode{}
	}
	bw, err := metrics.NewBandwidthTracer(metrics.WithMessageIDFunc(wakugossip.MessageID), metrics.WithMessageIDCacheSize(1024))
	if err != nil {
		return err
	}
	sn := &simNode{spec: spec, pol: pol, probe: newProbe(i, e.dlog), bw: bw, conns: &connWatcher{}, limit: newConnLimit(e.sc.MaxConns),
		topics: make(map[uint16]*pubsub.Topic), joined: time.Now()}
	e.pending = sn
	node, err := e.nw.AddNode()
	e.pending = nil
	if err != nil {
		return fmt.Errorf("node %d: %w", i, err)
	}
	if node.Index != i {
		return fmt.Errorf("node %d got simulated host %d: nodes must join in index order", i, node.Index)
	}
	sn.node = node
	e.roles[node.ID()] = spec.Role
	node.Host.Network().Notify(sn.conns.notifiee())
	node.Host.Network().Notify(sn.limit.notifiee())
	for s := range spec.Subscribed.All() {
		t, err := node.PubSub.Join(e.sc.Shard(s).PubsubTopic())
		if err != nil {
			return fmt.Errorf("node %d joining shard %d: %w", i, s, err)
		}
		cancel, err := t.Relay()
		if err != nil {
			return fmt.Errorf("node %d relaying shard %d: %w", i, s, err)
		}
		sn.topics[s] = t
		sn.relays = append(sn.relays, cancel)
	}
	if spec.Role != Honest || !pol.ServesMetadata() {
		adv := spec.Advertised
		sn.meta, err = metadata.NewService(node.Host, e.sc.Cluster, metadata.WithShards(func() shardmesh.ShardSet { return adv }))
		if err != nil {
			return fmt.Errorf("node %d: metadata: %w", i, err)
		}
		sn.meta.Start()
	}
	e.nodes[i] = sn
	e.disc.join(i, node.AddrInfo())
	env := &nodeEnv{
		Spec: spec, Scenario: e.sc, Host: node.Host, PubSub: node.PubSub, Discovery: e.disc,
		Rand: rand.New(rand.NewPCG(e.sc.Seed, uint64(i))), Log: e.log.With("node", i),
	}
	for _, b := range spec.Bootstrap {
		if c, ok := e.disc.record(b); ok {
			env.Bootstrap = append(env.Bootstrap, c)
		}
	}
	if err := pol.Start(env); err != nil {
		return fmt.Errorf("node %d: starting policy %s: %w", i, e.pol.Name(), err)
	}
	e.startTelemetry(i, sn)
	return nil
}

func (e *engine) leave(i int) {
	sn := e.nodes[i]
	if sn == nil || !sn.left.IsZero() {
		return
	}
	sn.left = time.Now()
	e.disc.leave(i, sn.left)
	sn.stop()
	if err := sn.node.Close(); err != nil {
		e.log.Debug("closing node", "node", i, "err", err)
	}
}

func (e *engine) publish(seq int) {
	p := e.sc.Publishes[seq]
	sn := e.nodes[p.Publisher]
	if sn == nil || !sn.left.IsZero() {
		return
	}
	t := sn.topics[p.Shard]
	if t == nil {
		return
	}
	e.dlog.published(seq, time.Now())
	if err := t.Publish(context.Background(), payload(seq, e.sc.MsgSize)); err != nil {
		e.log.Debug("publish", "seq", seq, "err", err)
	}
}

// straggleTime is how long teardown waits, in virtual time, for goroutines
// that only notice cancellation after a sleep.
const straggleTime = 5 * time.Second

// teardown stops every policy, all at once (stopping them one by one would
// let the others run on in virtual time while each waits for its
// goroutines), then closes the network (pubsub contexts, hosts, simulated
// links, in that order).
func (e *engine) teardown() {
	var wg sync.WaitGroup
	for _, sn := range e.nodes {
		if sn != nil && sn.left.IsZero() {
			wg.Go(sn.stop)
		}
	}
	wg.Wait()
	if err := e.nw.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		e.log.Debug("closing the simulated network", "err", err)
	}
	// Let stragglers finish in virtual time: gossipsub retries subscription
	// announcements to busy peers from goroutines that sleep up to a second
	// before noticing their context is done, and a synctest bubble must
	// not end with goroutines left.
	time.Sleep(straggleTime)
}
