package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/service/filter"
	"github.com/wakupm/wakupm/service/lightpush"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
	"github.com/wakupm/wakupm/shardmesh/protected"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// scoreInspectPeriod is how often gossipsub peer scores reach the tracker
// (go-waku inspects scores every 6 s, nwaku checks mesh health every 10 s).
const scoreInspectPeriod = 5 * time.Second

// hostParts are the parts of a node the libp2p host is built with.
type hostParts struct {
	budget    slots.Budget
	gater     *gater.Gater
	bandwidth *metrics.BandwidthReporter
}

func newHostParts(cfg config, log *slog.Logger) (hostParts, error) {
	budget, err := slots.NewBudget(cfg.maxConns)
	if err != nil {
		return hostParts{}, fmt.Errorf("-max-connections %d: %w", cfg.maxConns, err)
	}
	opts := []gater.Option{gater.WithLogger(log),
		gater.WithColocation(cfg.colocate, gater.DefaultColocationIPv4PrefixLen, gater.DefaultColocationIPv6PrefixLen)}
	if cfg.waiting >= 0 {
		opts = append(opts, gater.WithWaiting(cfg.waiting, 0))
	}
	if cfg.colocate == 0 {
		// No address caps at all: the service pools' per-prefix caps go
		// too (many clients on one machine, as in the js-waku tests).
		for _, s := range slots.Services() {
			opts = append(opts, gater.WithPoolOptions(s, slots.WithMaxPerPrefix(0)))
		}
	}
	g, err := gater.New(budget, opts...)
	if err != nil {
		return hostParts{}, err
	}
	return hostParts{budget: budget, gater: g, bandwidth: metrics.NewBandwidthReporter()}, nil
}

// options are the libp2p options that install the parts.
func (p hostParts) options() []libp2p.Option {
	return []libp2p.Option{libp2p.ConnectionGater(p.gater), libp2p.BandwidthReporter(p.bandwidth)}
}

// newHost builds the node's libp2p host: its identity, listen addresses,
// the connection gater, the bandwidth reporter and a connection manager
// that only trims beyond the budget (the relay policy prunes within it and
// protects the peers each shard's floor depends on).
func newHost(cfg config, parts hostParts) (host.Host, error) {
	key, err := identity(cfg.nodeKey)
	if err != nil {
		return nil, err
	}
	limit := parts.budget.MaxConnections
	cm, err := connmgr.NewConnManager(limit, limit+limit/10+1)
	if err != nil {
		return nil, err
	}
	opts := append(parts.options(), libp2p.Identity(key), libp2p.ListenAddrs(cfg.listen...), libp2p.ConnectionManager(cm))
	opts = append(opts, transportOptions(cfg.wsTLS)...)
	h, err := libp2p.New(opts...)
	if err != nil {
		_ = cm.Close()
		return nil, fmt.Errorf("starting libp2p: %w", err)
	}
	return h, nil
}

// identity returns the libp2p key: secp256k1 like Waku nodes' (nwaku
// --nodekey), from hex or new.
func identity(nodeKey string) (crypto.PrivKey, error) {
	if nodeKey == "" {
		key, _, err := crypto.GenerateSecp256k1Key(rand.Reader)
		return key, err
	}
	b, err := hex.DecodeString(strings.TrimPrefix(nodeKey, "0x"))
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("-nodekey: want 32 bytes of hex")
	}
	return crypto.UnmarshalSecp256k1PrivateKey(b)
}

// Node is a running QA node: gossipsub relay with Waku parameters, the
// mesh tracker, the slots gater, the relay peer manager, protected shards,
// bounded buffers of received messages and the Prometheus registry. The
// REST API (Handler) drives it.
//
// It owns its goroutines (the gater's sweeper, one reader per subscribed
// shard, the manager's); Close stops them and waits. Methods are safe for
// concurrent use.
type Node struct {
	cfg      config
	log      *slog.Logger
	host     host.Host
	ownsHost bool
	ps       *pubsub.PubSub
	tracker  *shardmesh.Tracker
	tracer   *gossipsub.Tracer // follows h's disconnections until Close
	gater    *gater.Gater
	manager  *peermanager.Manager
	parts    hostParts
	registry *prometheus.Registry
	started  time.Time

	// bandwidth counts gossipsub bytes by type and shard (GET /bandwidth).
	bandwidth *metrics.BandwidthTracer

	ctx    context.Context // cancelled by Close; pubsub runs under it
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// subMu serialises Subscribe, Unsubscribe and Close, which call into
	// gossipsub; gossipsub never calls back into code that takes it.
	subMu sync.Mutex
	// mu guards the maps and closed; it is held briefly, never across a
	// gossipsub call (validators take it).
	mu        sync.RWMutex
	shards    map[uint16]*relayShard
	protected map[uint16]*protection
	closed    bool

	announce *announcer
	stats    nodeStats

	filter *filter.Server    // -serve filter; nil otherwise
	push   *lightpush.Server // -serve lightpush; nil otherwise
}

// newNode builds a host from cfg and starts a node on it.
func newNode(cfg config, log *slog.Logger) (*Node, error) {
	parts, err := newHostParts(cfg, log)
	if err != nil {
		return nil, err
	}
	h, err := newHost(cfg, parts)
	if err != nil {
		return nil, err
	}
	n, err := startNode(cfg, h, parts, log)
	if err != nil {
		_ = h.Close()
		return nil, err
	}
	n.ownsHost = true
	return n, nil
}

// startNode starts a node on h, which was built with parts.options(). The
// caller keeps h unless newNode built it.
func startNode(cfg config, h host.Host, parts hostParts, log *slog.Logger) (*Node, error) {
	tracker, err := shardmesh.NewTracker(shardmesh.WithCluster(cfg.cluster))
	if err != nil {
		return nil, err
	}
	tracer, err := gossipsub.NewTracer(tracker, gossipsub.WithNetwork(h.Network()))
	if err != nil {
		return nil, err
	}
	bw, err := metrics.NewBandwidthTracer(metrics.WithMessageIDFunc(wakugossip.MessageID))
	if err != nil {
		return nil, errors.Join(err, tracer.Close())
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Node{
		cfg: cfg, log: log, host: h, tracker: tracker, tracer: tracer, gater: parts.gater, parts: parts, bandwidth: bw,
		ctx: ctx, cancel: cancel, started: time.Now(),
		shards: map[uint16]*relayShard{}, protected: map[uint16]*protection{},
	}
	opts := append(wakugossip.Options(),
		wakugossip.RelayProtocol(),
		tracer.Option(),
		pubsub.WithRawTracer(bw),
		wakugossip.PeerScoring(),
		tracer.ScoreInspectOption(scoreInspectPeriod),
	)
	if n.ps, err = pubsub.NewGossipSub(ctx, h, opts...); err != nil {
		cancel()
		return nil, errors.Join(fmt.Errorf("starting gossipsub: %w", err), tracer.Close())
	}
	if err := parts.gater.Attach(h); err != nil {
		cancel()
		return nil, errors.Join(err, tracer.Close())
	}
	n.wg.Go(func() { _ = parts.gater.Run(ctx) })

	if err := n.startManager(); err != nil {
		n.stop()
		return nil, fmt.Errorf("starting the peer manager: %w", err)
	}
	if err := n.startAnnouncer(); err != nil {
		n.stop()
		return nil, err
	}
	if n.registry, err = n.newRegistry(bw); err != nil {
		n.stop()
		return nil, err
	}
	if err := n.startServices(); err != nil {
		n.stop()
		return nil, err
	}
	if err := n.applyShardFlags(); err != nil {
		n.stop()
		return nil, err
	}
	return n, nil
}

// startManager starts the relay peer manager on the node's host, with the
// node's budget and tracker and the static peers of the command line.
func (n *Node) startManager() error {
	relayCfg := relay.DefaultConfig()
	relayCfg.Cluster = n.cfg.cluster
	relayCfg.ColocationLimit = n.cfg.colocate
	mopts := []peermanager.Option{
		peermanager.WithConfig(relayCfg),
		peermanager.WithBudget(n.parts.budget),
		peermanager.WithTracker(n.tracker),
		peermanager.WithLogger(n.log),
	}
	if len(n.cfg.peers) > 0 {
		mopts = append(mopts, peermanager.WithStaticPeers(n.cfg.peers...))
	}
	var err error
	if n.manager, err = peermanager.NewManager(n.host, mopts...); err != nil {
		return err
	}
	return n.manager.Start()
}

// applyShardFlags protects the shards given a key on the command line
// (a private key alone protects with its public key), rotating from the
// -protected-shard-previous key where one is given, and subscribes to the
// shards given there.
func (n *Node) applyShardFlags() error {
	cfg := n.cfg
	for shard, prev := range cfg.previous {
		if _, err := n.Protect(shard, prev.key, protected.PrivateKey{}, 0); err != nil {
			return err
		}
	}
	for shard, pub := range cfg.protect {
		if _, err := n.Protect(shard, pub, cfg.signKeys[shard], cfg.previous[shard].keep); err != nil {
			return err
		}
	}
	for shard, priv := range cfg.signKeys {
		if _, ok := cfg.protect[shard]; !ok {
			if _, err := n.Protect(shard, priv.Public(), priv, cfg.previous[shard].keep); err != nil {
				return err
			}
		}
	}
	for _, s := range cfg.shards {
		if err := n.Subscribe(s); err != nil {
			return err
		}
	}
	return nil
}

// newRegistry registers every collector: mesh health (tracker), relay
// policy (manager), connection budget and slots (gater), bandwidth by
// gossipsub message type and by protocol, and this node's own counters.
func (n *Node) newRegistry(bw *metrics.BandwidthTracer) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	tc, err := metrics.NewTrackerCollector(n.tracker, metrics.WithTracerStats(n.tracer))
	if err != nil {
		return nil, err
	}
	pc, err := metrics.NewPeerManagerCollector(n.manager)
	if err != nil {
		return nil, err
	}
	sc, err := metrics.NewSlotsCollector(n.gater)
	if err != nil {
		return nil, err
	}
	bc, err := metrics.NewBandwidthCollector(bw, n.parts.bandwidth)
	if err != nil {
		return nil, err
	}
	nc, err := metrics.NewNwakuCollector(n.host, metrics.WithNwakuRelaySource(n.manager))
	if err != nil {
		return nil, err
	}
	for _, c := range []prometheus.Collector{tc, pc, sc, bc, nc, &nodeCollector{n: n}} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	if !n.cfg.noMetrics {
		if err := registerRuntime(reg); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// Close unsubscribes from every shard, stops the manager, gossipsub and the
// gater's sweeper, waits for every goroutine, and closes the host if the
// node built it. It is idempotent.
func (n *Node) Close() error {
	n.subMu.Lock()
	defer n.subMu.Unlock()
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	shards := make([]*relayShard, 0, len(n.shards))
	for _, rs := range n.shards {
		shards = append(shards, rs)
	}
	n.shards = map[uint16]*relayShard{}
	n.mu.Unlock()
	var errs []error
	for _, rs := range shards {
		errs = append(errs, n.leave(rs))
	}
	errs = append(errs, n.stop())
	if n.ownsHost {
		errs = append(errs, n.host.Close())
	}
	return errors.Join(errs...)
}

// stop stops the manager, gossipsub, the tracer and the gater and waits
// for them.
func (n *Node) stop() error {
	var err error
	if n.manager != nil {
		err = n.manager.Close()
	}
	n.stopServices()
	n.cancel()
	n.wg.Wait()
	return errors.Join(err, n.tracer.Close(), n.gater.Close())
}
