package selection

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// serviceBook returns a book of n service peers (filter, light push,
// store) of cluster 1, each on 1 to 4 random shards of 1024, a third of
// them connected, a tenth of the others in dial backoff.
func serviceBook(b *testing.B, n int) *book.Book {
	b.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	sb := newTestBook(b, book.WithCapacity(n))
	for i := range n {
		idx := make([]uint16, 1+rng.IntN(4))
		for j := range idx {
			idx[j] = uint16(rng.IntN(shardmesh.ShardsPerCluster))
		}
		if _, err := sb.Discover(enrPeer(i, 1, svcCaps, idx...), t0); err != nil {
			b.Fatal(err)
		}
		switch {
		case i%3 == 0:
			sb.Connected(pid(i), book.Outbound, netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), t0)
		case i%10 == 1:
			sb.DialFailed(pid(i), t0.Add(time.Minute), t0)
		}
	}
	return sb
}

// BenchmarkSelect compares selecting 2 light-push peers on one shard of a
// 10k-peer book over 1024 shards (the shard rotates every call):
//
//   - pool: the sticky path, what a client does on every send;
//   - fresh: a one-off selection (NoPool) drawn from the indexes;
//   - fullscan: the same eligibility and connected-first random choice
//     done by scanning the whole book, the reference written only here.
func BenchmarkSelect(b *testing.B) {
	const peers = 10_000
	book := serviceBook(b, peers)
	sel, err := NewCore(book, DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	shard := func(i int) shardmesh.Shard {
		return shardmesh.Shard{Cluster: 1, Index: uint16(i & (shardmesh.ShardsPerCluster - 1))}
	}
	check := func(b *testing.B, got []peerid.ID, err error) {
		if err != nil || len(got) == 0 {
			b.Fatalf("selection failed: %v %v", got, err)
		}
	}

	b.Run("pool", func(b *testing.B) {
		for i := range shardmesh.ShardsPerCluster { // create the pools first
			_, _ = sel.Select(ForShard(protocols.LightPush, shard(i), 2), t0)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			got, err := sel.Select(ForShard(protocols.LightPush, shard(i), 2), t0)
			check(b, got, err)
		}
	})
	b.Run("fresh", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			req := ForShard(protocols.LightPush, shard(i), 2)
			req.NoPool = true
			got, err := sel.Select(req, t0)
			check(b, got, err)
		}
	})
	b.Run("fullscan", func(b *testing.B) {
		ref := book.MustProtocol(protocols.LightPush)
		rng := rand.New(rand.NewPCG(3, 3))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			got := fullScanSelect(book, sel, ref, shard(i).Index, 2, rng, t0)
			check(b, got, nil)
		}
	})
}

// fullScanSelect is the reference: it walks every record of the book and
// applies the selector's eligibility (protocol, shard, cluster, bench,
// dial backoff), then draws connected peers first, then dialable ones. It
// is how a peer store without (protocol, shard) indexes answers.
func fullScanSelect(b *book.Book, sel *Core, ref book.ProtocolRef, shard uint16, n int, rng *rand.Rand, now time.Time) []peerid.ID {
	var connected, dialable []peerid.ID
	for p := range b.All() {
		if !p.Supports(ref) {
			continue
		}
		if cl, ok := p.Cluster(); ok && cl != b.Cluster() {
			continue
		}
		if s, src := p.Shards(); src == book.ShardsUnknown || !s.Contains(shard) {
			continue
		}
		if sel.benched(peerid.ID(p.ID()), ref, now) {
			continue
		}
		if p.Connectedness() == book.Connected {
			connected = append(connected, peerid.ID(p.ID()))
		} else if !p.InBackoff(now) {
			dialable = append(dialable, peerid.ID(p.ID()))
		}
	}
	rng.Shuffle(len(connected), func(i, j int) { connected[i], connected[j] = connected[j], connected[i] })
	rng.Shuffle(len(dialable), func(i, j int) { dialable[i], dialable[j] = dialable[j], dialable[i] })
	out := append(connected, dialable...)
	return out[:min(n, len(out))]
}
