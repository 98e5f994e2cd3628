package book

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// DefaultMetadataTTL is how long the book keeps a peer's metadata once the
// peer is no longer connected: 66/WAKU2-METADATA recommends storing it per
// peer with a TTL of 6 hours.
const DefaultMetadataTTL = 6 * time.Hour

// MetadataTTL returns the book's metadata TTL (0: never expires).
func (b *Book) MetadataTTL() time.Duration { return b.mdTTL }

// GossipsubTopics records the shard topics a connected peer announced in
// gossipsub. They override its metadata and ENR shards (Peer.Shards) and,
// once it disconnects, expire with its metadata (WithMetadataTTL). It
// reports whether the peer's shards changed; unknown or disconnected peers
// are ignored.
func (b *Book) GossipsubTopics(id peerid.ID, shards shardmesh.ShardSet) bool {
	p := b.byID[id]
	if p == nil || p.connectedness != Connected || (p.hasGossipsub && p.gsShards == shards) {
		return false
	}
	p.gsShards, p.hasGossipsub = shards, true
	b.reindex(p)
	return true
}

// ExpireMetadata drops the metadata of the peers whose TTL ran out by now
// (and the gossipsub topics they announced on their last connection):
// their shards fall back to their ENR shards (or unknown without an ENR),
// and their cluster to the ENR's when an ENR gave one; without one the
// cluster stays known, so that a peer found on another cluster is still not
// dialled. It appends the peers whose records changed to dst (owners that
// cache records, such as the selector, refresh them) and returns it. Cost:
// O(log n) per expired peer, nothing for the others.
func (b *Book) ExpireMetadata(dst []peerid.ID, now time.Time) []peerid.ID {
	for len(b.mdExpiry) > 0 && !now.Before(b.mdExpiry[0].mdExpires) {
		p := b.mdExpiry[0]
		b.unscheduleMetadata(p)
		p.hasMetadata, p.mdShards = false, shardmesh.ShardSet{}
		p.hasGossipsub, p.gsShards = false, shardmesh.ShardSet{}
		if p.hasENR {
			p.cluster = p.enrCluster
		}
		b.reindex(p)
		dst = append(dst, p.id)
	}
	return dst
}

// scheduleMetadata (re)arms p's metadata expiry at now + TTL.
func (b *Book) scheduleMetadata(p *Peer, now time.Time) {
	if b.mdTTL <= 0 || (!p.hasMetadata && !p.hasGossipsub) {
		return
	}
	p.mdExpires = now.Add(b.mdTTL)
	if p.mdIndex == 0 {
		b.mdExpiry = append(b.mdExpiry, p)
		p.mdIndex = len(b.mdExpiry)
	}
	b.mdFix(p.mdIndex - 1)
}

// unscheduleMetadata disarms p's metadata expiry.
func (b *Book) unscheduleMetadata(p *Peer) {
	i := p.mdIndex - 1
	if i < 0 {
		return
	}
	last := len(b.mdExpiry) - 1
	b.mdSwap(i, last)
	b.mdExpiry[last] = nil
	b.mdExpiry = b.mdExpiry[:last]
	p.mdIndex = 0
	if i < last {
		b.mdFix(i)
	}
}

// The expiry schedule is a binary min-heap on mdExpires; each peer knows
// its position (mdIndex, 1-based, 0 when absent).

func (b *Book) mdLess(i, j int) bool { return b.mdExpiry[i].mdExpires.Before(b.mdExpiry[j].mdExpires) }

func (b *Book) mdSwap(i, j int) {
	h := b.mdExpiry
	h[i], h[j] = h[j], h[i]
	h[i].mdIndex, h[j].mdIndex = i+1, j+1
}

func (b *Book) mdFix(i int) {
	for i > 0 { // up
		parent := (i - 1) / 2
		if !b.mdLess(i, parent) {
			break
		}
		b.mdSwap(i, parent)
		i = parent
	}
	for n := len(b.mdExpiry); ; { // down
		least, l, r := i, 2*i+1, 2*i+2
		if l < n && b.mdLess(l, least) {
			least = l
		}
		if r < n && b.mdLess(r, least) {
			least = r
		}
		if least == i {
			return
		}
		b.mdSwap(i, least)
		i = least
	}
}
