package main

import (
	"sync"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/wakupm/wakupm/peermanager/metadata"
)

// announceParallel bounds concurrent metadata announcements.
const announceParallel = 8

// The peer manager learns a peer's shards from the metadata exchange made
// when the connection opens, and from nothing later: a node that subscribes
// through the REST API after its peers connected would stay counted on no
// shard by them (and they on none by it). A metadata request carries the
// requester's own metadata, which the responder's manager records; so after
// each change of subscriptions the node sends one to every connected peer
// (66/WAKU2-METADATA lets a node re-request at any time). The announcer is
// a client only: the manager's own service answers requests.
type announcer struct {
	svc    *metadata.Service
	signal chan struct{}
}

func (n *Node) startAnnouncer() error {
	svc, err := metadata.NewService(n.host, n.cfg.cluster,
		metadata.WithShards(n.subscribedSet))
	if err != nil {
		return err
	}
	n.announce = &announcer{svc: svc, signal: make(chan struct{}, 1)}
	n.wg.Go(n.runAnnouncer)
	return nil
}

// announceShards asks the announcer to send our metadata; it never blocks,
// and changes made while an announcement runs coalesce into the next one.
func (n *Node) announceShards() {
	select {
	case n.announce.signal <- struct{}{}:
	default:
	}
}

func (n *Node) runAnnouncer() {
	ctx := network.WithNoDial(n.ctx, "metadata announcement to connected peers only")
	sem := make(chan struct{}, announceParallel)
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-n.announce.signal:
		}
		var wg sync.WaitGroup
		for _, p := range n.host.Network().Peers() {
			select {
			case sem <- struct{}{}:
			case <-n.ctx.Done():
				wg.Wait()
				return
			}
			wg.Go(func() {
				defer func() { <-sem }()
				if _, err := n.announce.svc.Request(ctx, p); err != nil {
					n.log.Debug("metadata announcement failed", "peer", p, "err", err)
				}
			})
		}
		wg.Wait()
	}
}
