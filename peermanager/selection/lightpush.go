package selection

import (
	"strings"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/protocols"
)

// Light push v2 (/vac/waku/lightpush/2.0.0-beta1, 19/WAKU2-LIGHTPUSH) next
// to v3. status-go and go-waku publish through v2; nwaku serves both.
// The two versions are separate protocols to the selector (their own
// pools, rules and benching); the ENR's one `lightpush` bit does not say
// which a node speaks, so when a book tracks both only identify decides
// (book.CapabilityOf), and a node is never offered for a version it has
// not announced.

// OutcomeOfLightPushV2 maps a light push v2 response (is_success and
// the free-text info) to an outcome. v2 has no status codes; servers
// explain a refusal in info:
//   - nwaku's legacy light push answers a rate-limited request with
//     "TOO_MANY_REQUESTS" (waku/waku_lightpush_legacy/common.nim);
//   - go-waku answers "exceeds the rate limit"
//     (waku/v2/protocol/lightpush/waku_lightpush.go), "invalid request: …"
//     for a malformed one and "Could not publish message: …" when relaying
//     failed.
//
// A rate limit is OutcomeRateLimited (replaced at once and benched for
// the rate-limit time, like a v3 429); a malformed request or message is
// OutcomeRejected (the request's fault); "no peers" is OutcomeUnavailable;
// any other failure is OutcomeServerError: the peer could not publish.
func OutcomeOfLightPushV2(isSuccess bool, info string) Outcome {
	if isSuccess {
		return OutcomeSuccess
	}
	s := strings.ToLower(info)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("too_many_requests", "too many requests", "rate limit", "ratelimit"):
		return OutcomeRateLimited
	case has("invalid", "decode", "empty request", "too large", "rln"):
		return OutcomeRejected
	case has("no peers", "not enough peers", "no suitable peers"):
		return OutcomeUnavailable
	}
	return OutcomeServerError
}

// LightPushVersions are the light push protocols, newest first: the order
// in which a client that speaks both tries them.
var LightPushVersions = [...]string{protocols.LightPush, protocols.LightPushLegacy}

// isLightPush reports whether ref is a light push version.
func (c *Core) isLightPush(ref book.ProtocolRef) bool {
	return (c.hasPush && ref == c.pushRef) || (c.hasPushV2 && ref == c.pushV2Ref)
}

// TrackedProtocols returns the protocols a book must track for cfg: the
// book's defaults plus every protocol cfg configures, each with the ENR
// bit that announces it (book.CapabilityOf). The selector shell builds its
// book with it, so that a preset naming light push v2 gets it tracked.
func TrackedProtocols(cfg Config) []book.TrackedProtocol {
	list := book.DefaultTrackedProtocols()
	for _, pc := range cfg.Protocols {
		known := false
		for _, tp := range list {
			known = known || tp.ID == pc.Protocol
		}
		if !known {
			list = append(list, book.TrackedProtocol{ID: pc.Protocol, Cap: book.CapabilityOf(pc.Protocol)})
		}
	}
	return list
}

// Speaks reports whether identify says id speaks protocol proto (never
// from the ENR): how a client that speaks both light push versions picks
// the one to use with a peer.
func (c *Core) Speaks(id peerid.ID, proto string) bool {
	p := c.book.Get(id)
	if p == nil || !p.Identified() {
		return false
	}
	ref, ok := c.book.Protocol(proto)
	return ok && p.Supports(ref)
}
