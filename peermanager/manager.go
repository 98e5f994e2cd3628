package peermanager

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/shardmesh"
)

// maxMetadataInFlight bounds concurrent metadata requests: a burst of new
// connections waits its turn instead of opening a stream each at once.
const maxMetadataInFlight = 16

// Manager is the relay peer manager a go-libp2p Waku node embeds: the thin
// shell around a Core. It turns host notifications (connections,
// identify, metadata, the tracker's mesh health) into Core events, steps
// the Core on one goroutine, and carries out its actions: dials (each with
// the policy's timeout, at most MaxDialsInFlight at once), disconnections,
// discovery requests and connection-manager protection under its own tag.
//
// It owns its goroutines: Start launches them, Close stops them and waits.
// Public methods are safe for concurrent use and never block on the loop:
// notifications wait for it in a bounded queue that coalesces them per peer
// and shard and never drops a disconnection (WithEventQueueLimit).
type Manager struct {
	host   host.Host
	cfg    config
	log    *slog.Logger
	meta   *metadata.Service
	ownsMD bool

	mu        sync.Mutex // guards core (Step and every read of it and its book) and the selectors over its book
	core      *relay.Core
	selectors []*selector.Selector // NewSelector

	subMu      sync.Mutex
	subscribed shardmesh.ShardSet // what metadata answers; follows Subscribe

	qmu    sync.Mutex
	queue  *eventQueue // bounded, coalesced; see eventQueue
	signal chan struct{}

	metaSlots chan struct{}

	announceMu      sync.Mutex
	announcePending bool // a metadata round to tell peers our shards is due

	ctx      context.Context
	cancel   context.CancelFunc
	spawnMu  sync.Mutex
	started  bool
	stopped  bool
	wg       sync.WaitGroup
	notifiee network.Notifiee
	idSub    event.Subscription
}

// NewManager builds a manager for h. It does nothing until Start.
func NewManager(h host.Host, opts ...Option) (*Manager, error) {
	if h == nil {
		return nil, optionError("NewManager", "nil host")
	}
	cfg := config{relay: relay.DefaultConfig(), clock: time.Now, protectTag: DefaultProtectTag, maxQueued: DefaultMaxQueuedEntries}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.budget != nil {
		// The Budget owns the numbers the gater.Gater enforces: the
		// core takes its targets and headroom from it, so that the
		// gater never refuses a dial the core makes (slots.Budget).
		cfg.relay.InboundTarget = cfg.budget.RelayInbound
		cfg.relay.OutboundTarget = cfg.budget.RelayOutbound
		cfg.relay.DialHeadroom = cfg.budget.DialHeadroom
		if cfg.relay.Prune == relay.PruneByCoverage {
			cfg.relay.OutboundQuota = cfg.budget.RelayOutbound
		}
		cfg.relay.OutboundQuota = min(cfg.relay.OutboundQuota, cfg.relay.OutboundTarget)
	}
	if cfg.meta != nil && cfg.noMeta {
		return nil, optionError("WithoutMetadata", "conflicts with WithMetadataService")
	}
	core, err := relay.NewCore(cfg.relay, cfg.bookOpts...)
	if err != nil {
		return nil, err
	}
	m := &Manager{
		host:      h,
		cfg:       cfg,
		log:       cfg.logger,
		core:      core,
		queue:     newEventQueue(cfg.maxQueued),
		signal:    make(chan struct{}, 1),
		metaSlots: make(chan struct{}, maxMetadataInFlight),
	}
	if m.log == nil {
		m.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	m.meta = cfg.meta
	if m.meta == nil && !cfg.noMeta {
		m.meta, err = metadata.NewService(h, cfg.relay.Cluster,
			metadata.WithShards(m.localShards),
			metadata.WithRequestObserver(m.onMetadataRequest),
			metadata.WithLogger(m.log))
		if err != nil {
			return nil, err
		}
		m.ownsMD = true
	}
	return m, nil
}

// Start launches the manager: it registers its stream handler and host
// notifications and starts its loop. It fails if called twice.
// Connections the host made before Start are taken as new ones.
func (m *Manager) Start() error {
	if err := m.start(); err != nil {
		return err
	}
	// Outside spawnMu: onConnected spawns the metadata request, and
	// spawn takes spawnMu (holding it here deadlocked Start on a host
	// that already had a connection).
	for _, c := range m.host.Network().Conns() { // connections made before Start
		m.onConnected(m.host.Network(), c)
		m.identifiedBeforeStart(c.RemotePeer())
	}
	for _, p := range m.cfg.static {
		m.AddPeer(book.DiscoveredPeer{ID: peerid.ID(p.ID), Origin: book.OriginStatic}, p.Addrs)
	}
	return nil
}

// identifiedBeforeStart hands the core the protocols identify stored for
// a peer connected before Start: its EvtPeerIdentificationCompleted went
// by before the Manager subscribed, and without it the core would never
// count the peer as a relay peer (nor prune it). A peer still being
// identified has none yet; its event comes later.
func (m *Manager) identifiedBeforeStart(p peer.ID) {
	protos, err := m.host.Peerstore().GetProtocols(p)
	if err != nil || len(protos) == 0 {
		return
	}
	m.push(relay.PeerIdentified{ID: peerid.ID(p), Protocols: protocolStrings(protos)})
}

// start does the part of Start that spawnMu guards.
func (m *Manager) start() error {
	m.spawnMu.Lock()
	defer m.spawnMu.Unlock()
	if m.started {
		return errors.New("peermanager: manager already started")
	}
	m.started = true
	m.ctx, m.cancel = context.WithCancel(context.Background())
	sub, err := m.host.EventBus().Subscribe(new(event.EvtPeerIdentificationCompleted))
	if err != nil {
		return err
	}
	m.idSub = sub
	if m.ownsMD {
		m.meta.Start()
	}
	m.notifiee = &network.NotifyBundle{ConnectedF: m.onConnected, DisconnectedF: m.onDisconnected}
	m.host.Network().Notify(m.notifiee)
	m.wg.Go(m.loop)
	m.wg.Go(m.readIdentify)
	if m.cfg.discoverer != nil && m.cfg.background > 0 {
		m.wg.Go(m.backgroundDiscovery)
	}
	return nil
}

// Close stops every goroutine of the manager and waits for them. Pending
// dials and requests are cancelled. Close is idempotent.
func (m *Manager) Close() error {
	m.spawnMu.Lock()
	if !m.started || m.stopped {
		m.stopped = true
		m.spawnMu.Unlock()
		return nil
	}
	m.stopped = true
	m.spawnMu.Unlock()
	m.host.Network().StopNotify(m.notifiee)
	m.cancel()
	err := m.idSub.Close()
	m.wg.Wait()
	if m.ownsMD {
		err = errors.Join(err, m.meta.Close())
	}
	return err
}

// spawn runs f on a goroutine Close waits for, unless the manager stopped.
func (m *Manager) spawn(f func()) {
	m.spawnMu.Lock()
	defer m.spawnMu.Unlock()
	if m.stopped {
		return
	}
	m.wg.Go(f)
}

// push queues an event for the loop. It never blocks, and the queue stays
// bounded while the loop is busy: events coalesce per peer and shard, and
// only events that cannot lose state are dropped (see eventQueue).
func (m *Manager) push(ev relay.Event) {
	m.qmu.Lock()
	m.queue.push(ev)
	m.qmu.Unlock()
	select {
	case m.signal <- struct{}{}:
	default:
	}
}

// ErrOtherCluster is wrapped by the errors of Subscribe and Unsubscribe
// for a shard outside the manager's cluster (relay.Config.Cluster).
var ErrOtherCluster = errors.New("peermanager: shard of another cluster")

// checkShard returns nil when s is a valid shard of the manager's cluster.
func (m *Manager) checkShard(s shardmesh.Shard) error {
	if s.Cluster != m.cfg.relay.Cluster {
		return fmt.Errorf("%w: %v, the manager's cluster is %d", ErrOtherCluster, s, m.cfg.relay.Cluster)
	}
	if !s.Valid() {
		return &shardmesh.IndexRangeError{Index: uint64(s.Index)}
	}
	return nil
}

// Subscribe tells the manager the node relays on shard s of its cluster
// (call it after joining the topic; with WithTracker joins are seen without
// it). It fails for a shard of another cluster.
func (m *Manager) Subscribe(s shardmesh.Shard) error {
	if err := m.checkShard(s); err != nil {
		return err
	}
	m.subMu.Lock()
	added := m.subscribed.Add(s.Index)
	m.subMu.Unlock()
	m.push(relay.Subscribed{Shard: s})
	if added {
		m.shardsChanged()
	}
	return nil
}

// Unsubscribe tells the manager the node left shard s.
func (m *Manager) Unsubscribe(s shardmesh.Shard) error {
	if err := m.checkShard(s); err != nil {
		return err
	}
	m.subMu.Lock()
	removed := m.subscribed.Remove(s.Index)
	m.subMu.Unlock()
	m.push(relay.Unsubscribed{Shard: s})
	if removed {
		m.shardsChanged()
	}
	return nil
}

func (m *Manager) localShards() shardmesh.ShardSet {
	m.subMu.Lock()
	defer m.subMu.Unlock()
	return m.subscribed
}

// AddPeer records a peer found by some discovery outside the manager (its
// addresses go to the peerstore); the policy may dial it.
func (m *Manager) AddPeer(d book.DiscoveredPeer, addrs []ma.Multiaddr) {
	if d.ID == "" || peer.ID(d.ID) == m.host.ID() {
		return
	}
	ttl := peerstore.AddressTTL
	if d.Origin == book.OriginStatic {
		ttl = peerstore.PermanentAddrTTL
	}
	m.host.Peerstore().AddAddrs(peer.ID(d.ID), addrs, ttl)
	if !d.IP.IsValid() {
		d.IP = firstIP(addrs)
	}
	m.push(relay.PeerDiscovered{Peer: d})
}

// SetServicePeer marks a peer as in use as a service peer (never pruned as
// a relay peer) or releases it.
func (m *Manager) SetServicePeer(id peer.ID, inUse bool) {
	m.push(relay.ServicePeerChanged{ID: peerid.ID(id), InUse: inUse})
}

// SetOnline reports the node's connectivity (from an online checker).
func (m *Manager) SetOnline(online bool) { m.push(relay.OnlineChanged{Online: online}) }

// ObserveRTT feeds a ping round-trip time to the peer book.
func (m *Manager) ObserveRTT(id peer.ID, rtt time.Duration) {
	m.push(relay.RTTMeasured{ID: peerid.ID(id), RTT: rtt})
}

// ReadBook calls f with the peer book under the manager's lock: f must not
// keep the book or its peers nor call the manager.
func (m *Manager) ReadBook(f func(*book.Book)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(m.core.Book())
}

// Snapshot returns the relay core's current figures, with the event
// queue's, for metrics and reports.
func (m *Manager) Snapshot() relay.Snapshot {
	m.mu.Lock()
	s := m.core.Snapshot()
	m.mu.Unlock()
	m.qmu.Lock()
	s.EventsQueued, s.EventsDropped = m.queue.Len(), m.queue.Dropped()
	m.qmu.Unlock()
	return s
}

func firstIP(addrs []ma.Multiaddr) netip.Addr {
	for _, a := range addrs {
		if ip, err := manet.ToIP(a); err == nil {
			if addr, ok := netip.AddrFromSlice(ip); ok {
				return addr.Unmap()
			}
		}
	}
	return netip.Addr{}
}
