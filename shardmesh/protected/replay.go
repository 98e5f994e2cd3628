package protected

import "container/heap"

// replayCache remembers the signing hashes of accepted messages until their
// timestamp leaves the validity window, after which the window check refuses
// them anyway. Memory is bounded by a capacity: when full, the entry that
// expires first is evicted. Only messages with a valid signature enter it,
// so only the key holders can fill it.
type replayCache struct {
	capacity  int
	expiry    map[Hash]int64 // hash -> Unix ns after which it is forgotten
	queue     expiryHeap
	evictions uint64
}

func newReplayCache(capacity int) *replayCache {
	return &replayCache{capacity: capacity, expiry: make(map[Hash]int64)}
}

// prune forgets the entries that expired before nowNs.
func (c *replayCache) prune(nowNs int64) {
	for len(c.queue) > 0 && c.queue[0].at < nowNs {
		e := heap.Pop(&c.queue).(expiryEntry)
		delete(c.expiry, e.hash)
	}
}

func (c *replayCache) contains(h Hash) bool {
	_, ok := c.expiry[h]
	return ok
}

// add records h until at; the caller checked that h is absent.
func (c *replayCache) add(h Hash, at int64) {
	if len(c.expiry) >= c.capacity {
		e := heap.Pop(&c.queue).(expiryEntry)
		delete(c.expiry, e.hash)
		c.evictions++
	}
	c.expiry[h] = at
	heap.Push(&c.queue, expiryEntry{at: at, hash: h})
}

func (c *replayCache) len() int { return len(c.expiry) }

type expiryEntry struct {
	at   int64
	hash Hash
}

// expiryHeap is a min-heap of entries by expiry.
type expiryHeap []expiryEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
