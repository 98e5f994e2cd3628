package simhost

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	libp2pquic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/x/simlibp2p"
	"github.com/marcopolo/simnet"

	"github.com/wakupm/wakupm/internal/wakugossip"
)

// Network is a set of simulated hosts on one simnet. Its methods are safe for
// concurrent use.
type Network struct {
	// Sim is the simulated network; it is started by New.
	Sim *simnet.Simnet

	cfg config

	mu     sync.Mutex
	nodes  []*Node
	inUse  map[netip.AddrPort]bool // UDP addresses of hosts and UDPConns
	closed bool
}

// Node is one host of a Network.
type Node struct {
	// Index is the host's position in the Network (0-based, never reused).
	Index int
	// Host is a real go-libp2p host (QUIC on the simulated network).
	Host host.Host
	// PubSub is the host's GossipSub router with Waku relay parameters, nil
	// when the network was built WithoutPubsub.
	PubSub *pubsub.PubSub

	cancel    context.CancelFunc
	closeOnce sync.Once
	closeErr  error
}

// New starts a simulated network of n hosts. Call it inside a synctest bubble
// for virtual time. The caller must call Close (NewT does it for tests).
func New(n int, opts ...Option) (*Network, error) {
	if n < 0 {
		return nil, fmt.Errorf("%w: negative host count %d", ErrInvalidOption, n)
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	nw := &Network{
		Sim:   &simnet.Simnet{LatencyFunc: cfg.latencyFunc, Logger: cfg.logger},
		cfg:   cfg,
		nodes: make([]*Node, 0, n),
		inUse: make(map[netip.AddrPort]bool, n),
	}
	nw.Sim.Start()
	for range n {
		if _, err := nw.AddNode(); err != nil {
			return nil, errors.Join(err, nw.Close())
		}
	}
	return nw, nil
}

// NewT is New for tests: it fails t on error and registers Close with
// t.Cleanup (inside a synctest bubble, cleanups run inside the bubble).
func NewT(t testing.TB, n int, opts ...Option) *Network {
	t.Helper()
	nw, err := New(n, opts...)
	if err != nil {
		t.Fatalf("simhost: %v", err)
	}
	t.Cleanup(func() {
		if err := nw.Close(); err != nil {
			t.Errorf("simhost: close: %v", err)
		}
	})
	return nw
}

// AddNode starts one more host (and its GossipSub) on the running network.
func (nw *Network) AddNode() (*Node, error) {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	if nw.closed {
		return nil, errors.New("simhost: network closed")
	}
	i := len(nw.nodes)
	node, err := nw.newNode(i)
	if err != nil {
		return nil, fmt.Errorf("simhost: host %d: %w", i, err)
	}
	nw.nodes = append(nw.nodes, node)
	return node, nil
}

// NewBareHost starts a host without GossipSub that the Network does not
// keep: the caller closes it, and once closed only its address stays
// reserved. Churn tests use it so that departed hosts do not pile up in
// memory. i picks the identity and the address as for the i-th host: use
// indexes that no node of the Network has.
func (nw *Network) NewBareHost(i int) (host.Host, error) {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	if nw.closed {
		return nil, errors.New("simhost: network closed")
	}
	h, err := nw.newHost(i)
	if err != nil {
		return nil, fmt.Errorf("simhost: bare host %d: %w", i, err)
	}
	return h, nil
}

func (nw *Network) newNode(i int) (*Node, error) {
	h, err := nw.newHost(i)
	if err != nil {
		return nil, err
	}
	cfg := &nw.cfg
	node := &Node{Index: i, Host: h}
	if !cfg.pubsub || (cfg.pubsubFor != nil && !cfg.pubsubFor(i)) {
		return node, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	psOpts := wakugossip.Options()
	if cfg.pubsubOptions != nil {
		psOpts = append(psOpts, cfg.pubsubOptions(node)...)
	}
	ps, err := pubsub.NewGossipSub(ctx, h, psOpts...)
	if err != nil {
		cancel()
		return nil, errors.Join(fmt.Errorf("gossipsub: %w", err), h.Close())
	}
	node.PubSub, node.cancel = ps, cancel
	return node, nil
}

// newHost starts host i's libp2p host. Called with nw.mu held.
func (nw *Network) newHost(i int) (host.Host, error) {
	cfg := &nw.cfg
	newKey := cfg.identity
	if newKey == nil {
		newKey = func(i int) (crypto.PrivKey, error) { return seededIdentity(cfg.seed, i) }
	}
	priv, err := newKey(i)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	if priv == nil {
		return nil, errors.New("identity: nil key")
	}
	addr := cfg.address(i)
	if ap, ok := netip.AddrFromSlice(addr.IP); ok {
		nw.inUse[netip.AddrPortFrom(ap.Unmap(), uint16(addr.Port))] = true
	}
	listen := fmt.Sprintf("/ip4/%s/udp/%d/quic-v1", addr.IP, addr.Port)
	opts := []libp2p.Option{
		libp2p.Identity(priv),
		libp2p.ListenAddrStrings(listen),
		libp2p.NoTransports,
		libp2p.Transport(libp2pquic.NewTransport),
		simlibp2p.QUICSimnet(nw.Sim, cfg.link),
		// Identify's address discovery stalls synctest (x/simlibp2p).
		libp2p.DisableIdentifyAddressDiscovery(),
		libp2p.ResourceManager(&network.NullResourceManager{}),
		// Metrics would register on the global Prometheus registry.
		libp2p.DisableMetrics(),
		libp2p.DisableRelay(),
		libp2p.ForceReachabilityPublic(),
	}
	if cfg.hostOptions != nil {
		opts = append(opts, cfg.hostOptions(i)...)
	}
	return libp2p.New(opts...)
}

// seededIdentity derives host i's Ed25519 key from seed.
func seededIdentity(seed uint64, i int) (crypto.PrivKey, error) {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:8], seed)
	binary.LittleEndian.PutUint64(s[8:16], uint64(i))
	priv, _, err := crypto.GenerateEd25519Key(rand.NewChaCha8(s))
	return priv, err
}

// Nodes returns the hosts in index order, including closed ones.
func (nw *Network) Nodes() []*Node {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	return append([]*Node(nil), nw.nodes...)
}

// Node returns host i.
func (nw *Network) Node(i int) *Node {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	return nw.nodes[i]
}

// Len returns the number of hosts ever added.
func (nw *Network) Len() int {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	return len(nw.nodes)
}

// Close tears the network down in the order synctest needs: cancel every
// pubsub context, close every host, then close the simulated network. It is
// idempotent.
func (nw *Network) Close() error {
	nw.mu.Lock()
	if nw.closed {
		nw.mu.Unlock()
		return nil
	}
	nw.closed = true
	nodes := nw.nodes
	nw.mu.Unlock()
	for _, n := range nodes {
		if n.cancel != nil {
			n.cancel()
		}
	}
	var errs []error
	for _, n := range nodes {
		if err := n.Close(); err != nil {
			errs = append(errs, fmt.Errorf("host %d: %w", n.Index, err))
		}
	}
	nw.Sim.Close()
	return errors.Join(errs...)
}

// AddrInfo returns the node's peer ID and listen addresses.
func (n *Node) AddrInfo() peer.AddrInfo {
	return peer.AddrInfo{ID: n.Host.ID(), Addrs: n.Host.Addrs()}
}

// ID returns the node's peer ID.
func (n *Node) ID() peer.ID { return n.Host.ID() }

// Close stops the node's GossipSub and closes its host; its peers see the
// connections close. It is idempotent.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		if n.cancel != nil {
			n.cancel()
		}
		n.closeErr = n.Host.Close()
	})
	return n.closeErr
}
