package book

import "github.com/wakupm/wakupm/shardmesh"

// membership is where a peer sits in the indexes. The book recomputes it
// after every change of the peer and moves the peer only when it differs,
// so the index cost of an event is proportional to the peer's shards and
// protocols, never to the size of the book.
type membership struct {
	indexed       bool // of our cluster (or unknown cluster) with >= 1 protocol
	unknownShards bool // indexed in the unknown-shard buckets
	shards        shardmesh.ShardSet
	mask          protoMask
	connected     bool
	outbound      bool
}

// membershipOf computes where p belongs in a book of cluster ours.
func membershipOf(p *Peer, ours uint16, t *protocolTable) membership {
	m := membership{
		mask:      p.supportedMask(t),
		connected: p.connectedness == Connected,
		outbound:  p.connectedness == Connected && p.direction == Outbound,
	}
	if p.clusterKnown && p.cluster != ours {
		return m
	}
	if m.mask == 0 {
		return m
	}
	m.indexed = true
	shards, src := p.Shards()
	if src == ShardsUnknown {
		m.unknownShards = true
	} else {
		m.shards = shards
	}
	return m
}
