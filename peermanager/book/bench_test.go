package book

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// bigBook returns a book of n relay+store peers spread over 1024 shards
// (1 to 4 shards each), a third of them connected.
func bigBook(b *testing.B, n int) *Book {
	b.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	book := newTestBook(b, WithCapacity(n))
	for i := range n {
		idx := make([]uint16, 1+rng.IntN(4))
		for j := range idx {
			idx[j] = uint16(rng.IntN(1024))
		}
		if _, err := book.Discover(enrPeer(i, 1, shardmesh.CapRelay|shardmesh.CapStore, idx...), t0); err != nil {
			b.Fatal(err)
		}
		if i%3 == 0 {
			book.Connected(pid(i), Outbound, netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), t0)
		}
	}
	return book
}

// BenchmarkBookPickTwoOnShard measures what a selector's hot path costs on
// the book: read the (store, shard) bucket of a 10k-peer book over 1024
// shards and pick two eligible (not in backoff) peers at random.
func BenchmarkBookPickTwoOnShard(b *testing.B) {
	book := bigBook(b, 10_000)
	store := book.MustProtocol(protocols.Store)
	rng := rand.New(rand.NewPCG(1, 1))
	var picked [2]*Peer
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		set := book.Peers(store, sh(uint16(i&1023)), false)
		n := 0
		for try := 0; n < 2 && try < 8 && set.Len() > 0; try++ {
			p := set.At(rng.IntN(set.Len()))
			if !p.InBackoff(t0) && (n == 0 || picked[0] != p) {
				picked[n] = p
				n++
			}
		}
	}
}

// BenchmarkBookConnectDisconnect measures the index upkeep of one
// connection and disconnection of a peer on 4 shards in a 10k-peer book.
func BenchmarkBookConnectDisconnect(b *testing.B) {
	book := bigBook(b, 10_000)
	id := pid(1)
	ip := netip.MustParseAddr("10.9.9.9")
	b.ReportAllocs()
	for b.Loop() {
		book.Connected(id, Inbound, ip, t0)
		book.Disconnected(id, t0)
	}
}
