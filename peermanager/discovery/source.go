package discovery

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Source finds candidate peers.
//
// Find starts a search for req and returns at once. The channel it returns
// receives at most req.N candidates, distinct by peer id, and is closed when
// the search ends: req.N found, nothing more to find, ctx done, the search
// timeout reached, or the source closed. The channel is buffered for req.N,
// so the search never waits for the reader and a reader that stops reading
// holds up nothing but its own garbage. Find fails without starting anything
// for an invalid request (ErrInvalidRequest), a closed source (ErrClosed) or
// too many searches at once (ErrBusy): the caller retries later.
//
// Implementations must be safe for concurrent use.
type Source interface {
	Find(ctx context.Context, req Request) (<-chan Candidate, error)
}

// Errors from Find.
var (
	ErrClosed = errors.New("discovery: source closed")
	ErrBusy   = errors.New("discovery: too many searches in progress")
)

// DefaultMaxSearches bounds concurrent searches of one source.
const DefaultMaxSearches = 8

// DefaultSearchTimeout bounds one search when the caller's context has no
// earlier deadline, so that a random walk that finds nothing ends.
const DefaultSearchTimeout = 30 * time.Second

// searches runs the goroutines of one source's searches and stops them all
// on close.
type searches struct {
	timeout time.Duration
	slots   chan struct{}

	mu     sync.Mutex
	closed bool
	stop   context.CancelFunc
	ctx    context.Context
	wg     sync.WaitGroup
}

func newSearches(max int, timeout time.Duration) *searches {
	ctx, stop := context.WithCancel(context.Background())
	return &searches{timeout: timeout, slots: make(chan struct{}, max), ctx: ctx, stop: stop}
}

// emitter delivers candidates of one search into its channel.
type emitter struct {
	ch   chan Candidate
	n    int
	seen map[peer.ID]struct{}
}

// emit delivers c unless its peer was delivered already, and reports whether
// the search wants more. It never blocks: the channel has room for n.
func (e *emitter) emit(c Candidate) (more bool) {
	if len(e.seen) == e.n {
		return false
	}
	if _, dup := e.seen[c.AddrInfo.ID]; !dup {
		e.seen[c.AddrInfo.ID] = struct{}{}
		e.ch <- c
	}
	return len(e.seen) < e.n
}

// start runs search on a goroutine owned by s and returns its channel.
func (s *searches) start(ctx context.Context, req Request, search func(ctx context.Context, emit func(Candidate) bool)) (<-chan Candidate, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	select {
	case s.slots <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	unlink := context.AfterFunc(s.ctx, cancel)
	e := &emitter{ch: make(chan Candidate, req.N), n: req.N, seen: make(map[peer.ID]struct{}, req.N)}
	s.wg.Add(1)
	go func() {
		// Deferred in reverse: the slot is free before the channel closes,
		// so a caller that saw the close may start the next search at once.
		defer s.wg.Done()
		defer close(e.ch)
		defer func() { <-s.slots }()
		defer unlink()
		defer cancel()
		search(ctx, e.emit)
	}()
	return e.ch, nil
}

// close stops every search and waits for their goroutines.
func (s *searches) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stop()
	s.wg.Wait()
}
