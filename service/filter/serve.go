package filter

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/service"
	"github.com/wakupm/wakupm/service/subscriptions"
	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// Serve answers one decoded request of peer id at addr. The stream handler
// calls it; a node on another transport may too.
func (s *Server) Serve(id peer.ID, addr netip.Addr, req wire.SubscribeRequest, now time.Time) wire.SubscribeResponse {
	resp := wire.SubscribeResponse{RequestID: req.RequestID, StatusCode: wire.StatusOK}
	if req.Type <= wire.UnsubscribeAll {
		s.requests[req.Type].Add(1)
	}
	pid := peerid.ID(id)
	var code uint32
	var desc string
	switch req.Type {
	case wire.SubscriberPing:
		code, desc = s.ping(pid, now)
	case wire.Subscribe:
		code, desc = s.subscribe(id, addr, req, now)
	case wire.Unsubscribe:
		code, desc = s.unsubscribe(pid, req)
	case wire.UnsubscribeAll:
		code, desc = s.unsubscribeAll(pid)
	default:
		code, desc = wire.StatusBadRequest, fmt.Sprintf("unknown request type %d", uint32(req.Type))
	}
	resp.StatusCode, resp.StatusDesc = code, desc
	if code != wire.StatusOK {
		s.cfg.log.Debug("filter: request refused", "peer", id, "type", req.Type.String(), "status", code, "desc", desc)
	}
	return resp
}

// ping refreshes the peer's lease; without a subscription (or once its
// lease ended) the answer is 404, and the client resubscribes.
func (s *Server) ping(id peerid.ID, now time.Time) (uint32, string) {
	if s.table.Held(id) == 0 {
		return wire.StatusNotFound, "no subscription"
	}
	if s.pool.RefreshPeer(id, now) == 0 {
		s.drop(id)
		return wire.StatusNotFound, "subscription expired"
	}
	return wire.StatusOK, ""
}

func (s *Server) subscribe(id peer.ID, addr netip.Addr, req wire.SubscribeRequest, now time.Time) (uint32, string) {
	if len(req.ContentTopics) > wire.MaxContentTopicsPerRequest {
		return wire.StatusBadRequest, fmt.Sprintf("%d content topics, at most %d per request", len(req.ContentTopics), wire.MaxContentTopicsPerRequest)
	}
	groups, err := s.cfg.scope.Resolve(req.PubsubTopic, req.HasPubsub, req.ContentTopics)
	if err != nil {
		// Filter has no 421: an unserved shard is a bad request here.
		return wire.StatusBadRequest, err.Error()
	}
	pid := peerid.ID(id)
	if _, err := s.g.AdmitPeer(slots.Filter, id, addr, now); err != nil {
		if code, desc, ok := service.AdmissionRefusal(err); ok {
			return code, desc
		}
		var nc *gater.NotConnectedError
		switch {
		case errors.As(err, &nc):
			return wire.StatusServiceUnavailable, "not connected"
		default:
			return wire.StatusInternalServerError, err.Error()
		}
	}
	for i, g := range groups {
		if err := s.table.Subscribe(pid, g.PubsubTopic, g.ContentTopics); err != nil {
			for _, done := range groups[:i] {
				_, _ = s.table.Unsubscribe(pid, done.PubsubTopic, done.ContentTopics)
			}
			s.releaseIfIdle(pid)
			if errors.Is(err, subscriptions.ErrTooManyCriteria) {
				return wire.StatusTooManyRequests, err.Error()
			}
			return wire.StatusInternalServerError, err.Error()
		}
	}
	if !s.ensureWorker(id) {
		s.drop(pid)
		s.pool.ReleasePeer(pid)
		return wire.StatusServiceUnavailable, "server shutting down"
	}
	return wire.StatusOK, ""
}

func (s *Server) unsubscribe(id peerid.ID, req wire.SubscribeRequest) (uint32, string) {
	groups, err := s.cfg.scope.Resolve(req.PubsubTopic, req.HasPubsub, req.ContentTopics)
	if err != nil {
		return wire.StatusBadRequest, err.Error()
	}
	found := false
	for _, g := range groups {
		if _, err := s.table.Unsubscribe(id, g.PubsubTopic, g.ContentTopics); err == nil {
			found = true
		}
	}
	if !found {
		return wire.StatusNotFound, "not subscribed"
	}
	s.releaseIfIdle(id)
	return wire.StatusOK, ""
}

func (s *Server) unsubscribeAll(id peerid.ID) (uint32, string) {
	if s.table.Held(id) == 0 {
		return wire.StatusNotFound, "not subscribed"
	}
	s.drop(id)
	s.pool.ReleasePeer(id)
	return wire.StatusOK, ""
}

// releaseIfIdle frees the peer's filter slot once it holds no criterion:
// the slot goes to the next client at once, not a TTL later.
func (s *Server) releaseIfIdle(id peerid.ID) {
	if s.table.Held(id) == 0 {
		s.drop(id)
		s.pool.ReleasePeer(id)
	}
}
