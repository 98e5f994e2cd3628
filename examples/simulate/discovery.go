package main

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/shardmesh"
)

// Discovery in the simulator is an oracle standing in for discv5: a lookup
// returns a random sample of the records of the network that match a shard
// predicate, after a virtual delay. Real discv5 on the simulated network
// would need a UDP adapter from go-ethereum's socket interface to simnet
// and would dominate the CPU at thousands of nodes; what peer management
// reacts to is which candidates a lookup yields (random nodes matching the
// ENR predicate, some of them stale), and the oracle reproduces that.
const (
	// lookupDelay is the virtual duration of one lookup (a discv5 random
	// walk takes seconds).
	lookupDelay = time.Second
	// staleRecordTTL is how long the record of a node that left keeps
	// being returned, as discv5 routing tables keep dead entries.
	staleRecordTTL = 2 * time.Minute
)

// candidate is what a lookup says about a node: what its ENR carries.
type candidate struct {
	Index   int
	Info    peer.AddrInfo
	Cluster uint16
	// Shards is what the node advertises (rs/rsv), not necessarily what it
	// meshes on.
	Shards shardmesh.ShardSet
}

// discovery is the oracle of one run. It is safe for concurrent use.
type discovery struct {
	sc    *Scenario
	start time.Time

	mu     sync.Mutex
	infos  []peer.AddrInfo // by node index, set when the node joins
	joined []bool
	leftAt []time.Time // zero while in the network
}

func newDiscovery(sc *Scenario, start time.Time) *discovery {
	return &discovery{
		sc: sc, start: start,
		infos:  make([]peer.AddrInfo, len(sc.Nodes)),
		joined: make([]bool, len(sc.Nodes)),
		leftAt: make([]time.Time, len(sc.Nodes)),
	}
}

func (d *discovery) join(i int, info peer.AddrInfo) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.infos[i], d.joined[i] = info, true
}

func (d *discovery) leave(i int, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.leftAt[i] = now
}

// record returns node i's record, if it ever joined.
func (d *discovery) record(i int) (candidate, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.joined[i] {
		return candidate{}, false
	}
	return candidate{Index: i, Info: d.infos[i], Cluster: d.sc.Cluster, Shards: d.sc.Nodes[i].Advertised}, true
}

// lookup waits lookupDelay (or until ctx is done: then it returns nothing),
// then returns up to n records, in random order,
// of other nodes advertising a shard of want (any node when want is
// empty). Records of nodes that left less than staleRecordTTL ago are
// still returned, as in discv5.
//
// rng is only used under the oracle's lock, so one generator may serve
// several goroutines of a node.
func (d *discovery) lookup(ctx context.Context, self int, want shardmesh.ShardSet, n int, rng *rand.Rand) []candidate {
	t := time.NewTimer(lookupDelay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return nil
	case <-t.C:
	}
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []candidate
	for _, i := range rng.Perm(len(d.sc.Nodes)) {
		if len(out) == n {
			break
		}
		if i == self || !d.joined[i] || (!d.leftAt[i].IsZero() && now.Sub(d.leftAt[i]) > staleRecordTTL) {
			continue
		}
		adv := d.sc.Nodes[i].Advertised
		if !want.Empty() && !adv.Intersects(want) {
			continue
		}
		out = append(out, candidate{Index: i, Info: d.infos[i], Cluster: d.sc.Cluster, Shards: adv})
	}
	return out
}
