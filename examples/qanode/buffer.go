package main

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/shardmesh/protected"
)

// received is one message delivered on a shard.
type received struct {
	Seq        uint64
	Message    protected.Message
	Hash       protected.Hash // 14/WAKU2-MESSAGE deterministic hash
	From       peer.ID        // the peer that forwarded it (ourselves for our own)
	ReceivedAt time.Time
}

// ring keeps the last len(buf) messages of a shard, numbered from 1 in
// arrival order. It is not safe for concurrent use; the shard's lock guards
// it.
type ring struct {
	buf  []received
	next uint64 // sequence number of the next message
}

func newRing(capacity int) *ring { return &ring{buf: make([]received, capacity), next: 1} }

// add stores r under the next sequence number, overwriting the oldest.
func (b *ring) add(r received) uint64 {
	r.Seq = b.next
	b.buf[(b.next-1)%uint64(len(b.buf))] = r
	b.next++
	return r.Seq
}

// since appends to dst, oldest first, the messages with a sequence number
// above seq that are still held, at most limit of them (0: no limit), and
// returns how many newer than seq were overwritten before they could be read.
func (b *ring) since(dst []received, seq uint64, limit int) ([]received, uint64) {
	last := b.next - 1
	if seq >= last { // nothing newer; also keeps seq+1 below from wrapping at MaxUint64
		return dst, 0
	}
	oldest := uint64(1)
	if last > uint64(len(b.buf)) {
		oldest = last - uint64(len(b.buf)) + 1
	}
	from := max(seq+1, oldest)
	var lost uint64
	if from > seq+1 {
		lost = from - seq - 1
	}
	for s := from; s <= last; s++ {
		if limit > 0 && len(dst) >= limit {
			break
		}
		dst = append(dst, b.buf[(s-1)%uint64(len(b.buf))])
	}
	return dst, lost
}

// last returns the sequence number of the newest message (0 if none).
func (b *ring) last() uint64 { return b.next - 1 }
