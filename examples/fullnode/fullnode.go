package main

import (
	"context"
	"fmt"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"

	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/peermanager"
	"github.com/wakupm/wakupm/peermanager/discovery"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/gossipsub"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// FullNode is the peer management of a go-waku-like full node on one
// host: relay peers by the Manager (fed by gossipsub's tracer and a
// discovery source: discv5 in production), connections bounded by the
// gater, and the node's own filter, store and light-push clients served
// by a Selector over the Manager's book. One book, one metadata service
// (the Manager's), one set of host notifications.
type FullNode struct {
	Tracker  *shardmesh.Tracker
	Tracer   *gossipsub.Tracer
	Gater    *gater.Gater
	Manager  *peermanager.Manager
	Selector *selector.Selector

	stop  context.CancelFunc // the gater's run
	gated chan error
}

// NewFullNode builds the parts that exist before the host: the tracker
// and the tracer gossipsub needs (Tracer.Option), and the gater
// libp2p.ConnectionGater needs, for a budget of maxConns connections.
func NewFullNode(maxConns int) (*FullNode, error) {
	tracker, err := shardmesh.NewTracker()
	if err != nil {
		return nil, err
	}
	tracer, err := gossipsub.NewTracer(tracker)
	if err != nil {
		return nil, err
	}
	budget, err := slots.NewBudget(maxConns)
	if err != nil {
		return nil, err
	}
	g, err := gater.New(budget)
	if err != nil {
		return nil, err
	}
	return &FullNode{Tracker: tracker, Tracer: tracer, Gater: g}, nil
}

// PubsubOptions are the options of the node's gossipsub.
func (n *FullNode) PubsubOptions() []pubsub.Option {
	return []pubsub.Option{n.Tracer.Option(), wakugossip.RelayProtocol()}
}

// Start wires the rest on the host (built with n.Gater) and starts it:
// the whole wiring a full node needs.
func (n *FullNode) Start(h host.Host, cluster uint16, src discovery.Source) error {
	if err := n.Gater.Attach(h); err != nil {
		return err
	}
	ctx, stop := context.WithCancel(context.Background())
	n.stop, n.gated = stop, make(chan error, 1)
	go func() { n.gated <- n.Gater.Run(ctx) }() // owned: Close stops it
	policy := relay.DefaultConfig()
	policy.Cluster = cluster
	mgr, err := peermanager.NewManager(h, peermanager.WithConfig(policy), peermanager.WithBudget(n.Gater.Budget()),
		peermanager.WithTracker(n.Tracker), peermanager.WithDiscoverer(peermanager.SourceDiscoverer(src)))
	if err != nil {
		return err
	}
	clients := selection.DefaultConfig()
	clients.Cluster = cluster
	sel, err := mgr.NewSelector(selector.WithHost(h), selector.WithConfig(clients))
	if err != nil {
		return fmt.Errorf("fullnode: selector: %w", err)
	}
	n.Manager, n.Selector = mgr, sel
	return mgr.Start()
}

// Close stops the selector, the Manager and the gater's loop.
func (n *FullNode) Close() error {
	var err error
	if n.Selector != nil {
		_ = n.Selector.Close()
	}
	if n.Manager != nil {
		err = n.Manager.Close()
	}
	if n.stop != nil {
		n.stop()
		if gerr := <-n.gated; err == nil && gerr != nil && gerr != context.Canceled {
			err = gerr
		}
	}
	return err
}
