package gater

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/host/eventbus"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/slots"
)

// Gater enforces a slots.Budget on a libp2p host: it is the host's
// connmgr.ConnectionGater, watches connections as a network notifiee, and
// owns one slots.Pool per service for the host's filter and light-push
// servers (see Admit and Handler). Its decisions are a slots.Ledger's.
//
// Inbound peers are counted against RelayInbound plus the reserved slots.
// A new inbound peer is pending until it either takes a lease (it becomes a
// service client) or identify shows a relay protocol (it becomes a relay
// peer, or is closed when RelayInbound is full: relay peers never take
// reserved slots). A peer still pending after the grace period is closed,
// and so is a service client whose last lease ended a grace period ago.
// Relay peers and outbound peers are never closed by the Gater, so service
// clients can never evict them. A new outbound peer is refused once
// outbound peers and inbound relay peers fill Budget.DialLimit. Counts
// change only when a connection completes and when it closes. Inbound
// peers are capped per IPv4 address and per IPv6 /64
// (DefaultColocationLimit), and per IPv6 /48 (DefaultIPv6SiteLimit).
//
// An inbound peer that neither runs relay nor holds a lease is closed after
// the grace period, so reserve slots (Budget.Reserved) for every service the
// node serves, store and peer exchange included.
//
// Use: g, err := gater.New(budget); pass libp2p.ConnectionGater(g) when
// building the host; then g.Attach(host) and run g.Run(ctx) in a goroutine
// you own.
type Gater struct {
	budget slots.Budget
	cfg    config
	log    *slog.Logger
	pools  [slots.NumServices]*slots.Pool

	mu     sync.Mutex
	ledger *slots.Ledger
	host   host.Host
	notif  *notifiee
}

var (
	_ connmgr.ConnectionGater = (*Gater)(nil)
	_ network.Notifiee        = (*notifiee)(nil)
)

// Errors of Attach and Run.
var (
	ErrAttached    = errors.New("gater: already attached to a host")
	ErrNotAttached = errors.New("gater: Run before Attach")
)

// New returns a Gater for b with one pool per service, sized by b.Reserved.
// An invalid b is a *slots.BudgetError, an invalid option an *OptionError
// (or a *slots.OptionError for one passed through WithPoolOptions).
func New(b slots.Budget, opts ...Option) (*Gater, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	cfg, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	g := &Gater{budget: b, cfg: cfg, log: cfg.logger}
	waiting := cfg.maxWaiting
	if waiting < 0 {
		total := 0
		for _, s := range slots.Services() {
			total += b.Reserved.Of(s)
		}
		waiting = total * DefaultWaitingShare / 100
		if total > 0 {
			waiting = max(1, waiting)
		}
	}
	for _, s := range slots.Services() {
		p, err := slots.NewPool(s, b.Reserved.Of(s), cfg.poolOptions[s]...)
		if err != nil {
			return nil, fmt.Errorf("gater: %s pool: %w", s, err)
		}
		g.pools[s] = p
	}
	g.ledger = slots.NewLedger(b, slots.LedgerConfig{
		Grace:         cfg.grace,
		MaxPerPrefix:  cfg.colocation,
		IPv4PrefixLen: cfg.v4Bits,
		IPv6PrefixLen: cfg.v6Bits,
		// Only IPv6 addresses count per site.
		MaxPerIPv6Site:    cfg.siteLimit,
		IPv6SitePrefixLen: cfg.siteBits,
		MaxWaiting:        waiting,
		MaxWait:           cfg.maxWait,
	})
	return g, nil
}

// Budget returns the budget the gater enforces.
func (g *Gater) Budget() slots.Budget { return g.budget }

// Pool returns the slot pool of service s.
func (g *Gater) Pool(s slots.Service) *slots.Pool { return g.pools[s] }

// Attach starts watching h's connections. Call it once, right after
// building h with this gater, before h accepts connections.
func (g *Gater) Attach(h host.Host) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.host != nil {
		return ErrAttached
	}
	g.host = h
	g.notif = &notifiee{g: g}
	h.Network().Notify(g.notif)
	return nil
}

// Close stops watching the host's connections. The gater keeps gating.
func (g *Gater) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.host != nil && g.notif != nil {
		g.host.Network().StopNotify(g.notif)
		g.notif = nil
	}
	return nil
}

// Run expires leases and closes peers whose grace period ended every sweep
// interval, and marks peers as relay peers as soon as identify lists a relay
// protocol, until ctx is done. The caller owns the goroutine that runs it.
func (g *Gater) Run(ctx context.Context) error {
	g.mu.Lock()
	h := g.host
	g.mu.Unlock()
	if h == nil {
		return ErrNotAttached
	}
	// Subscribing here, not in Attach, so that nobody's events queue up
	// for a consumer that does not run; peers identified before Run are
	// caught by the peerstore check when their grace period ends. The
	// subscriber keeps the name it had before the gater left package
	// slots: it labels the event bus's metrics.
	sub, err := h.EventBus().Subscribe(new(event.EvtPeerIdentificationCompleted), eventbus.Name("wakupm/slots"))
	if err != nil {
		return fmt.Errorf("gater: subscribe to identify events: %w", err)
	}
	defer sub.Close()
	tick := time.NewTicker(g.cfg.sweep)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-sub.Out():
			if !ok {
				return nil
			}
			if ev, ok := e.(event.EvtPeerIdentificationCompleted); ok && g.anyRelay(ev.Protocols) {
				g.MarkRelay(ev.Peer)
			}
		case <-tick.C:
			g.Sweep(time.Now())
		}
	}
}

func (g *Gater) anyRelay(ids []protocol.ID) bool {
	for _, id := range ids {
		for _, r := range g.cfg.relayProtocols {
			if id == r {
				return true
			}
		}
	}
	return false
}

// MarkRelay records that id is a relay peer (Run does it from identify; a
// relay shell may call it too). An inbound peer beyond RelayInbound is
// closed, and any lease it holds is released.
func (g *Gater) MarkRelay(id peer.ID) {
	g.mu.Lock()
	r, released := g.ledger.MarkRelay(peerid.ID(id), time.Now())
	if released {
		g.releasePeer(id)
	}
	g.mu.Unlock()
	if r != 0 {
		g.closePeer(id, r)
	}
}

// Sweep expires leases at now and closes the peers whose grace period
// ended. Run calls it every sweep interval.
func (g *Gater) Sweep(now time.Time) {
	for _, p := range g.pools {
		p.Expire(now)
	}
	g.mu.Lock()
	h := g.host
	holds := func(id peerid.ID) bool {
		for _, p := range g.pools {
			if p.Holds(id, now) > 0 {
				return true
			}
		}
		return false
	}
	isRelay := func(id peerid.ID) bool {
		if h == nil {
			return false
		}
		ids, err := h.Peerstore().SupportsProtocols(peer.ID(id), g.cfg.relayProtocols...)
		return err == nil && len(ids) > 0
	}
	toClose := g.ledger.Sweep(nil, holds, isRelay, now)
	g.mu.Unlock()
	for _, c := range toClose {
		g.closePeer(peer.ID(c.Peer), c.Why)
	}
}

func (g *Gater) closePeer(id peer.ID, why slots.Refusal) {
	g.log.Debug("gater: closing peer", "peer", id, "reason", why.String())
	g.mu.Lock()
	h := g.host
	g.mu.Unlock()
	if h != nil {
		_ = h.Network().ClosePeer(id)
	}
}

// releasePeer frees every lease of id. Lock order: g.mu before a pool's.
func (g *Gater) releasePeer(id peer.ID) {
	for _, p := range g.pools {
		p.ReleasePeer(peerid.ID(id))
	}
}

// Stats returns a snapshot at now (leases that expired by now are freed).
func (g *Gater) Stats(now time.Time) slots.Stats {
	st := slots.Stats{Budget: g.budget}
	for i, p := range g.pools {
		st.Pools[i] = p.Stats(now)
	}
	g.mu.Lock()
	st.Ledger = g.ledger.Stats()
	g.mu.Unlock()
	return st
}

// Class returns the class of a connected peer (0 when not connected).
func (g *Gater) Class(id peer.ID) slots.Class {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ledger.Class(peerid.ID(id))
}
