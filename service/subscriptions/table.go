package subscriptions

import (
	"errors"
	"fmt"
	"sync"

	"github.com/wakupm/wakupm/peerid"
)

// DefaultMaxCriteriaPerPeer is how many (pubsub topic, content topic)
// criteria one peer may hold: nwaku's MaxFilterCriteriaPerPeer
// (waku/waku_filter_v2/subscriptions.nim) and go-waku's
// (protocol/filter/server.go), 1000.
const DefaultMaxCriteriaPerPeer = 1000

// Criterion is one filter criterion.
type Criterion struct {
	PubsubTopic  string
	ContentTopic string
}

// ErrTooManyCriteria is returned by Subscribe when the peer would hold more
// than the per-peer cap; nothing of the request is applied.
var ErrTooManyCriteria = errors.New("subscriptions: per-peer criteria cap reached")

// ErrNotSubscribed is returned by Unsubscribe for a peer that holds none of
// the criteria (a filter server answers 404).
var ErrNotSubscribed = errors.New("subscriptions: not subscribed")

// CapError is ErrTooManyCriteria with the numbers.
type CapError struct {
	Peer      peerid.ID
	Held, Add int
	Limit     int
}

func (e *CapError) Error() string {
	return fmt.Sprintf("%v: peer %s holds %d, asks %d more, limit %d", ErrTooManyCriteria, e.Peer, e.Held, e.Add, e.Limit)
}

// Unwrap makes errors.Is(err, ErrTooManyCriteria) true.
func (e *CapError) Unwrap() error { return ErrTooManyCriteria }

// Table is the subscription state of a filter server. It is safe for
// concurrent use.
type Table struct {
	maxPerPeer int

	mu     sync.RWMutex
	byPeer map[peerid.ID]map[Criterion]struct{}
	byCrit map[Criterion]map[peerid.ID]struct{}
}

// New returns an empty Table whose peers may hold maxPerPeer criteria each
// (<= 0: DefaultMaxCriteriaPerPeer).
func New(maxPerPeer int) *Table {
	if maxPerPeer <= 0 {
		maxPerPeer = DefaultMaxCriteriaPerPeer
	}
	return &Table{maxPerPeer: maxPerPeer, byPeer: map[peerid.ID]map[Criterion]struct{}{}, byCrit: map[Criterion]map[peerid.ID]struct{}{}}
}

// MaxPerPeer returns the per-peer criteria cap.
func (t *Table) MaxPerPeer() int { return t.maxPerPeer }

// Subscribe adds the criteria (pubsubTopic, ct) for each ct to peer. It is
// all or nothing: over the cap it returns a *CapError and changes nothing.
// Criteria the peer already holds do not count twice.
func (t *Table) Subscribe(peer peerid.ID, pubsubTopic string, contentTopics []string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	held := t.byPeer[peer]
	add := 0
	for i, ct := range contentTopics {
		c := Criterion{pubsubTopic, ct}
		if _, ok := held[c]; ok || seenBefore(contentTopics[:i], ct) {
			continue
		}
		add++
	}
	if len(held)+add > t.maxPerPeer {
		return &CapError{Peer: peer, Held: len(held), Add: add, Limit: t.maxPerPeer}
	}
	if held == nil {
		held = make(map[Criterion]struct{}, len(contentTopics))
		t.byPeer[peer] = held
	}
	for _, ct := range contentTopics {
		c := Criterion{pubsubTopic, ct}
		held[c] = struct{}{}
		ps := t.byCrit[c]
		if ps == nil {
			ps = map[peerid.ID]struct{}{}
			t.byCrit[c] = ps
		}
		ps[peer] = struct{}{}
	}
	return nil
}

func seenBefore(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Unsubscribe removes the criteria and reports how many the peer still
// holds. It returns ErrNotSubscribed when the peer held none of them.
func (t *Table) Unsubscribe(peer peerid.ID, pubsubTopic string, contentTopics []string) (left int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	held := t.byPeer[peer]
	removed := 0
	for _, ct := range contentTopics {
		c := Criterion{pubsubTopic, ct}
		if _, ok := held[c]; !ok {
			continue
		}
		t.drop(peer, c)
		removed++
	}
	left = len(t.byPeer[peer])
	if removed == 0 {
		return left, ErrNotSubscribed
	}
	return left, nil
}

// Remove drops every criterion of peer and reports how many it held.
func (t *Table) Remove(peer peerid.ID) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	held := t.byPeer[peer]
	n := len(held)
	for c := range held {
		t.drop(peer, c)
	}
	return n
}

// drop removes one criterion; t.mu is held.
func (t *Table) drop(peer peerid.ID, c Criterion) {
	held := t.byPeer[peer]
	delete(held, c)
	if len(held) == 0 {
		delete(t.byPeer, peer)
	}
	ps := t.byCrit[c]
	delete(ps, peer)
	if len(ps) == 0 {
		delete(t.byCrit, c)
	}
}

// Held returns how many criteria peer holds.
func (t *Table) Held(peer peerid.ID) int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.byPeer[peer])
}

// Match appends to dst the peers subscribed to (pubsubTopic, contentTopic)
// and returns it. The order is unspecified.
func (t *Table) Match(dst []peerid.ID, pubsubTopic, contentTopic string) []peerid.ID {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for p := range t.byCrit[Criterion{pubsubTopic, contentTopic}] {
		dst = append(dst, p)
	}
	return dst
}

// Peers appends every subscribed peer to dst and returns it.
func (t *Table) Peers(dst []peerid.ID) []peerid.ID {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for p := range t.byPeer {
		dst = append(dst, p)
	}
	return dst
}

// Len returns the number of subscribed peers.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.byPeer)
}
