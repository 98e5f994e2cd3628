package simhost

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
)

// Pair is a connection to make: host From dials host To, so the connection is
// outbound at From and inbound at To.
type Pair struct{ From, To int }

// maxParallelDials bounds the goroutines ConnectPairs starts at once.
const maxParallelDials = 64

// Connect makes host from dial host to and waits for the connection.
func (nw *Network) Connect(ctx context.Context, from, to int) error {
	a, b := nw.Node(from), nw.Node(to)
	if err := a.Host.Connect(ctx, b.AddrInfo()); err != nil {
		return fmt.Errorf("simhost: connect %d -> %d: %w", from, to, err)
	}
	return nil
}

// ConnectPairs dials every pair in parallel (at most 64 dials at a time) and
// returns the joined errors of the dials that failed.
func (nw *Network) ConnectPairs(ctx context.Context, pairs []Pair) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, maxParallelDials)
	)
	for _, p := range pairs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := nw.Connect(ctx, p.From, p.To); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ConnectAll connects every pair of hosts once (the lower index dials).
func (nw *Network) ConnectAll(ctx context.Context) error {
	n := nw.Len()
	pairs := make([]Pair, 0, n*(n-1)/2)
	for i := range n {
		for j := i + 1; j < n; j++ {
			pairs = append(pairs, Pair{From: i, To: j})
		}
	}
	return nw.ConnectPairs(ctx, pairs)
}

// RandomPairs returns, for each of n hosts in turn, dials to degree distinct
// random other hosts drawn from rng, skipping pairs already chosen in either
// direction. Every host therefore dials min(degree, hosts it is not yet paired
// with) others and ends up with at least that many connections.
func RandomPairs(n, degree int, rng *rand.Rand) []Pair {
	type key struct{ a, b int }
	seen := make(map[key]bool, n*degree)
	pairs := make([]Pair, 0, n*degree)
	for i := range n {
		picked := 0
		for _, j := range rng.Perm(n) {
			if picked == degree {
				break
			}
			k := key{min(i, j), max(i, j)}
			if j == i || seen[k] {
				continue
			}
			seen[k] = true
			pairs = append(pairs, Pair{From: i, To: j})
			picked++
		}
	}
	return pairs
}

// ConnectRandom makes every host dial degree random other hosts (see
// RandomPairs), in parallel.
func (nw *Network) ConnectRandom(ctx context.Context, degree int, rng *rand.Rand) error {
	return nw.ConnectPairs(ctx, RandomPairs(nw.Len(), degree, rng))
}
