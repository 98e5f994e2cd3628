package simdiscv5_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simdiscv5"
	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peermanager/discovery"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/enr"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The example runs outside a bubble, where the node database's pool
		// drainer outlives Close by up to a second (see DatabaseDrain).
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"))
}

// startAll starts a listener on every host of nw, host 0 first as the only
// bootstrap node of the others; host i advertises shard i%4 of cluster 16.
func startAll(t *testing.T, nw *simhost.Network, seed uint64) []*simdiscv5.Node {
	t.Helper()
	// Runs after every node's Close (cleanups run last-in first-out).
	t.Cleanup(func() { time.Sleep(simdiscv5.DatabaseDrain) })
	nodes := make([]*simdiscv5.Node, nw.Len())
	var boot []*enode.Node
	for i := range nodes {
		key, err := simdiscv5.Key(seed, i)
		if err != nil {
			t.Fatal(err)
		}
		n, err := simdiscv5.Listen(nw, i, simdiscv5.Config{Key: key, Bootnodes: boot, Record: func(ln *enode.LocalNode) error {
			ln.Set(enr.Waku2(shardmesh.CapRelay))
			return enr.SetLocalNodeRelayShards(ln, enr.RelayShards{Cluster: 16, Indices: []uint16{uint16(i % 4)}})
		}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(n.Close) // runs before the network's Close (LIFO)
		nodes[i] = n
		if i == 0 {
			boot = []*enode.Node{n.Record()}
		}
	}
	return nodes
}

// TestDiscv5FindsEveryMatchingHostInVirtualTime runs 32 real go-ethereum
// discv5 listeners on the simulated network inside a synctest bubble, all
// bootstrapped from host 0 alone. Every host walks the network at once for
// the other hosts on its shard (as Managers do when they start): each must
// find all 7, with their own peer ids and dialable QUIC addresses, within
// a minute (10 to 20 s in practice). The bubble fails the test if a listener
// goroutine outlives Close or blocks outside the bubble.
func TestDiscv5FindsEveryMatchingHostInVirtualTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const hosts = 32
		const shards = 4
		const seed = 7
		nw := simhost.NewT(t, hosts, append(simdiscv5.NetworkOptions(seed), simhost.WithoutPubsub())...)
		nodes := startAll(t, nw, seed)
		start := time.Now()
		found := make([][]discovery.Candidate, hosts)
		var wg sync.WaitGroup
		for i, n := range nodes {
			src, err := discovery.NewDiscv5(n.Listener, discovery.WithSearchTimeout(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var shard shardmesh.ShardSet
			shard.Add(uint16(i % shards))
			ch, err := src.Find(t.Context(), discovery.Request{Cluster: 16, Shards: shard, Capabilities: shardmesh.CapRelay, N: hosts/shards - 1})
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				for c := range ch {
					found[i] = append(found[i], c)
				}
			})
		}
		wg.Wait()
		took := time.Since(start)

		for i, got := range found {
			if len(got) != hosts/shards-1 {
				t.Fatalf("host %d found %d of the %d other hosts on its shard", i, len(got), hosts/shards-1)
			}
			for _, c := range got {
				j := slices.IndexFunc(nw.Nodes(), func(n *simhost.Node) bool { return n.ID() == c.AddrInfo.ID })
				if j < 0 || j == i || j%shards != i%shards || !c.Shards.Contains(uint16(i%shards)) {
					t.Fatalf("host %d found %v (host %d) with shards %v", i, c.AddrInfo.ID, j, c.Shards.Indexes())
				}
			}
		}
		var sent int
		for _, n := range nodes {
			sent += n.Conn.Stats().PacketsSent
		}
		t.Logf("every host found the %d others on its shard within %v (virtual); %d discv5 datagrams", hosts/shards-1, took, sent)

		// A candidate's address reaches the host's libp2p QUIC listener.
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		if err := nw.Node(0).Host.Connect(ctx, found[0][0].AddrInfo); err != nil {
			t.Fatalf("dialling the discovered address %v: %v", found[0][0].AddrInfo, err)
		}
	})
}
