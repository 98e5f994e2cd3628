package filter

import (
	"context"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// subscriber is the push worker of one subscribed peer: a bounded queue of
// encoded push frames (shared, read-only) and its stop signal.
type subscriber struct {
	q    chan []byte
	stop chan struct{}
}

// ensureWorker starts id's push worker unless it runs; false once the
// server is closed.
func (s *Server) ensureWorker(id peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	pid := peerid.ID(id)
	if _, ok := s.subs[pid]; ok {
		return true
	}
	sub := &subscriber{q: make(chan []byte, s.cfg.queueLen), stop: make(chan struct{})}
	s.subs[pid] = sub
	s.workers.Add(1)
	go s.work(id, sub)
	return true
}

// work writes id's pushes one stream each, as nwaku and go-waku do, until
// stopped. It never dials: a push to a peer that left fails at once.
func (s *Server) work(id peer.ID, sub *subscriber) {
	defer s.workers.Done()
	for {
		select {
		case <-sub.stop:
			return
		case frame := <-sub.q:
			if err := s.push(id, frame); err != nil {
				s.failed.Add(1)
				s.cfg.log.Debug("filter: push failed", "peer", id, "err", err)
				continue
			}
			s.pushed.Add(1)
		}
	}
}

func (s *Server) push(id peer.ID, frame []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.pushTimeout)
	defer cancel()
	st, err := s.h.NewStream(network.WithNoDial(ctx, "filter push"), id, protocols.FilterPush)
	if err != nil {
		return err
	}
	_ = st.SetWriteDeadline(time.Now().Add(s.cfg.pushTimeout))
	if _, err := st.Write(frame); err != nil {
		_ = st.Reset()
		return err
	}
	return st.Close()
}

// Deliver queues a relayed message (the WakuMessage's encoding, as relay
// carried it on pubsubTopic) for every subscriber of its pubsub and content
// topic and returns how many it queued for. It never blocks: a full queue
// drops the push (Stats.Dropped). A message that does not decode is
// ignored (relay's validator should have refused it).
func (s *Server) Deliver(pubsubTopic string, data []byte) int {
	m, err := protected.Unmarshal(data)
	if err != nil {
		return 0
	}
	bp := matchBuffers.Get().(*[]peerid.ID)
	defer func() {
		clear(*bp) // drop the ids: a pooled buffer must not keep them alive
		matchBuffers.Put(bp)
	}()
	peers := s.table.Match((*bp)[:0], pubsubTopic, m.ContentTopic)
	*bp = peers
	if len(peers) == 0 {
		return 0
	}
	push := wire.MessagePush{Message: data, PubsubTopic: pubsubTopic}
	frame := push.AppendFrame(nil)
	queued := 0
	s.mu.Lock()
	for _, id := range peers {
		sub, ok := s.subs[id]
		if !ok {
			continue
		}
		select {
		case sub.q <- frame:
			queued++
		default:
			s.dropped.Add(1)
		}
	}
	s.mu.Unlock()
	return queued
}

// matchBuffers recycles Deliver's list of matching peers: with a popular
// content topic it is the largest allocation of a push.
var matchBuffers = sync.Pool{New: func() any { b := make([]peerid.ID, 0, 64); return &b }}

// Feed delivers every message of a relay subscription until ctx is done or
// the subscription is cancelled. The caller owns the goroutine.
func (s *Server) Feed(ctx context.Context, sub *pubsub.Subscription) error {
	topic := sub.Topic()
	for {
		msg, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		s.Deliver(topic, msg.Data)
	}
}
