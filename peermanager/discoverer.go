package peermanager

import (
	"context"
	"fmt"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/discovery"
	"github.com/wakupm/wakupm/shardmesh"
)

// SourceDiscoverer adapts a discovery.Source (static peers, peer exchange,
// discv5, or a Union of them) to the Manager's Discoverer: each request
// asks for relay-capable peers of the cluster on one shard.
func SourceDiscoverer(src discovery.Source) Discoverer { return sourceDiscoverer{src} }

type sourceDiscoverer struct{ src discovery.Source }

var _ Discoverer = sourceDiscoverer{}

func (d sourceDiscoverer) FindPeers(ctx context.Context, shard shardmesh.Shard, n int, found func(book.DiscoveredPeer, []ma.Multiaddr)) error {
	var want shardmesh.ShardSet
	if !want.Add(shard.Index) {
		return fmt.Errorf("peermanager: discovery for shard %d: %w", shard.Index, &shardmesh.IndexRangeError{Index: uint64(shard.Index)})
	}
	ch, err := d.src.Find(ctx, discovery.Request{Cluster: shard.Cluster, Shards: want, Capabilities: shardmesh.CapRelay,
		N: min(max(n, 1), discovery.MaxCandidates)})
	if err != nil {
		return fmt.Errorf("peermanager: discovery for shard %v: %w", shard, err)
	}
	for c := range ch {
		found(CandidateToDiscovered(c), c.AddrInfo.Addrs)
	}
	return ctx.Err()
}

// CandidateToDiscovered converts a discovery candidate for the book.
func CandidateToDiscovered(c discovery.Candidate) book.DiscoveredPeer {
	d := book.DiscoveredPeer{ID: peerid.ID(c.AddrInfo.ID), IP: firstIP(c.AddrInfo.Addrs)}
	switch c.Origin {
	case discovery.OriginStatic:
		d.Origin = book.OriginStatic
	case discovery.OriginPeerExchange:
		d.Origin = book.OriginPeerExchange
	default:
		d.Origin = book.OriginDiscv5
	}
	if c.Node != nil || c.ShardsKnown || c.Capabilities != 0 {
		d.HasENR = true
		d.Caps = c.Capabilities
	}
	if c.ShardsKnown {
		d.HasShards, d.Cluster, d.Shards = true, c.Cluster, c.Shards
	}
	return d
}
