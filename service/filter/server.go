package filter

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/service"
	"github.com/wakupm/wakupm/service/subscriptions"
	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// Server is a filter v2 server on a libp2p host. New registers its stream
// handler; Run (in a goroutine the caller owns) drops subscriptions whose
// lease ended, and stops every push worker when it returns.
type Server struct {
	h     host.Host
	g     *gater.Gater
	pool  *slots.Pool
	cfg   config
	table *subscriptions.Table

	mu      sync.Mutex
	subs    map[peerid.ID]*subscriber
	closed  bool
	workers sync.WaitGroup

	requests [wire.UnsubscribeAll + 1]atomic.Uint64
	answers  sync.Map // status code -> *atomic.Uint64
	pushed   atomic.Uint64
	dropped  atomic.Uint64
	failed   atomic.Uint64
}

// ErrNoShards is returned by New for a scope that serves no shard.
var ErrNoShards = errors.New("filter: scope serves no shard")

// New returns a filter server for h whose subscriptions take leases of g's
// filter pool, serving the shards of scope, and registers its handler.
func New(h host.Host, g *gater.Gater, scope service.Scope, opts ...Option) (*Server, error) {
	if scope.Shards.Empty() {
		return nil, ErrNoShards
	}
	cfg := defaultConfig()
	cfg.scope = scope
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	s := &Server{h: h, g: g, pool: g.Pool(slots.Filter), cfg: cfg, table: subscriptions.New(cfg.maxCriteria),
		subs: map[peerid.ID]*subscriber{}}
	h.SetStreamHandler(protocols.FilterSubscribe, s.handle)
	return s, nil
}

// Run drops, every sweep interval, the subscriptions whose filter lease
// ended, until ctx is done; then it removes the handler and stops every
// push worker.
func (s *Server) Run(ctx context.Context) error {
	tick := time.NewTicker(s.cfg.sweep)
	defer tick.Stop()
	defer s.close()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			s.Sweep(time.Now())
		}
	}
}

func (s *Server) close() {
	s.h.RemoveStreamHandler(protocols.FilterSubscribe)
	s.mu.Lock()
	s.closed = true
	for id, sub := range s.subs {
		close(sub.stop)
		delete(s.subs, id)
	}
	s.mu.Unlock()
	s.workers.Wait()
}

// Sweep drops the subscriptions of peers that hold no filter lease at now
// (it expired, or the gater released it on disconnect) and returns how many
// peers it dropped.
func (s *Server) Sweep(now time.Time) int {
	n := 0
	for _, id := range s.table.Peers(nil) {
		if s.pool.Holds(id, now) == 0 {
			s.drop(id)
			n++
		}
	}
	return n
}

// drop removes a peer's subscriptions and stops its push worker.
func (s *Server) drop(id peerid.ID) {
	s.table.Remove(id)
	s.mu.Lock()
	if sub, ok := s.subs[id]; ok {
		close(sub.stop)
		delete(s.subs, id)
	}
	s.mu.Unlock()
}

// handle serves one filter-subscribe stream: one request, one answer.
func (s *Server) handle(st network.Stream) {
	defer st.Close()
	// An oversized request is drained up to a few times the limit (under
	// the stream deadline) so that the client gets the answer.
	data, tooLarge, ok := service.ReadRequest(st, s.cfg.requestTimeout, wire.MaxFilterRequestFrame, 4*wire.MaxFilterRequestFrame)
	if !ok {
		return
	}
	var resp wire.SubscribeResponse
	if tooLarge != nil {
		resp = wire.SubscribeResponse{StatusCode: wire.StatusBadRequest, StatusDesc: tooLarge.Error()}
	} else if req, err := wire.DecodeSubscribeRequest(data); err != nil {
		resp = wire.SubscribeResponse{StatusCode: wire.StatusBadRequest, StatusDesc: err.Error()}
	} else {
		c := st.Conn()
		resp = s.Serve(c.RemotePeer(), gater.AddrOf(c.RemoteMultiaddr()), req, time.Now())
	}
	s.count(resp.StatusCode)
	_ = wire.WriteFrame(st, resp.Marshal())
}

func (s *Server) count(code uint32) {
	v, _ := s.answers.LoadOrStore(code, new(atomic.Uint64))
	v.(*atomic.Uint64).Add(1)
}

// Stats is a snapshot of a Server's counters.
type Stats struct {
	Subscribers int
	Requests    map[string]uint64 // by request type
	Answers     map[uint32]uint64 // by status code
	Pushed      uint64            // pushes written to a subscriber
	Dropped     uint64            // pushes dropped: the subscriber's queue was full
	Failed      uint64            // pushes whose stream could not be opened or written
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	st := Stats{Subscribers: s.table.Len(), Requests: map[string]uint64{}, Answers: map[uint32]uint64{},
		Pushed: s.pushed.Load(), Dropped: s.dropped.Load(), Failed: s.failed.Load()}
	for t := range s.requests {
		st.Requests[wire.SubscribeType(t).String()] = s.requests[t].Load()
	}
	s.answers.Range(func(k, v any) bool {
		st.Answers[k.(uint32)] = v.(*atomic.Uint64).Load()
		return true
	})
	return st
}

// Table returns the subscription state (read it; do not change it).
func (s *Server) Table() *subscriptions.Table { return s.table }
