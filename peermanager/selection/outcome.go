package selection

import "strings"

// Outcome is what happened when a light client used a service peer. The
// client reports it (Core.Report, or the selector shell's Report); the Core
// counts failures per (peer, protocol) and replaces the peer when the
// protocol's ReplacementRule says so.
type Outcome uint8

// Outcomes of using a service peer. Status codes are those of light push v3
// and filter v2 (waku-org/specs standards/core/lightpush.md,
// 12/WAKU2-FILTER); OutcomeOfStatus maps a code to its outcome.
const (
	// OutcomeSuccess: the request was served (any 2xx). It resets the
	// peer's failure count for the protocol.
	OutcomeSuccess Outcome = iota
	// OutcomeDialFailed: the peer could not be reached.
	OutcomeDialFailed
	// OutcomeTimeout: the request timed out or the stream closed without a
	// response.
	OutcomeTimeout
	// OutcomeDisconnected: the connection to the peer was lost while it was
	// in a pool (the Core reports it on its own when the book says so).
	OutcomeDisconnected
	// OutcomePingFailed: a keep-alive ping failed (the selector shell's
	// keep-alive reports it with Core.ReportPeer).
	OutcomePingFailed
	// OutcomeUnsupportedTopic: 421, the peer does not serve the shard.
	OutcomeUnsupportedTopic
	// OutcomeRateLimited: 429, too many requests.
	OutcomeRateLimited
	// OutcomeServerError: 500, internal server error.
	OutcomeServerError
	// OutcomeUnavailable: 503 or 505 (service unavailable, no peers to
	// relay; older nwaku builds swapped the two codes).
	OutcomeUnavailable
	// OutcomeFilterPingFailed: a filter SUBSCRIBER_PING failed (timeout or
	// error code).
	OutcomeFilterPingFailed
	// OutcomeFilterSubscribeFailed: a filter SUBSCRIBE failed on the
	// service side.
	OutcomeFilterSubscribeFailed
	// OutcomeRejected: the request itself was refused (400 bad request, 413
	// payload too large, 420 invalid message, 504 out of RLN proof, or any
	// other code): a fault of the request, not of the peer, so it counts
	// only where a rule says so (js-waku renews on any non-200).
	OutcomeRejected

	numOutcomes
)

var outcomeText = [...]string{
	OutcomeSuccess:               "success",
	OutcomeDialFailed:            "dial_failed",
	OutcomeTimeout:               "timeout",
	OutcomeDisconnected:          "disconnected",
	OutcomePingFailed:            "ping_failed",
	OutcomeUnsupportedTopic:      "unsupported_topic",
	OutcomeRateLimited:           "rate_limited",
	OutcomeServerError:           "server_error",
	OutcomeUnavailable:           "unavailable",
	OutcomeFilterPingFailed:      "filter_ping_failed",
	OutcomeFilterSubscribeFailed: "filter_subscribe_failed",
	OutcomeRejected:              "rejected",
}

// String returns the outcome in snake case, as used in metric labels and
// scenario files.
func (o Outcome) String() string {
	if o < numOutcomes {
		return outcomeText[o]
	}
	return "outcome?"
}

// ParseOutcome is the inverse of Outcome.String.
func ParseOutcome(s string) (Outcome, bool) {
	for o, t := range outcomeText {
		if t == s {
			return Outcome(o), true
		}
	}
	return 0, false
}

// OutcomeOfStatus maps a light push v3 or filter v2 status code to an
// outcome: 2xx success, 421 unsupported topic, 429 rate limited, 500 server
// error, 503 and 505 unavailable, anything else rejected
// (waku-org/specs standards/core/lightpush.md).
func OutcomeOfStatus(code uint32) Outcome {
	switch {
	case code >= 200 && code < 300:
		return OutcomeSuccess
	case code == 421:
		return OutcomeUnsupportedTopic
	case code == 429:
		return OutcomeRateLimited
	case code == 500:
		return OutcomeServerError
	case code == 503 || code == 505:
		return OutcomeUnavailable
	}
	return OutcomeRejected
}

// OutcomeSet is a set of outcomes, for the rules that say which outcomes
// count as failures or replace a peer at once.
type OutcomeSet uint32

// OutcomesOf returns the set of the given outcomes.
func OutcomesOf(os ...Outcome) OutcomeSet {
	var s OutcomeSet
	for _, o := range os {
		s |= 1 << o
	}
	return s
}

// Has reports whether o is in the set.
func (s OutcomeSet) Has(o Outcome) bool { return o < numOutcomes && s&(1<<o) != 0 }

// String lists the outcomes, comma-separated.
func (s OutcomeSet) String() string {
	var parts []string
	for o := range numOutcomes {
		if s.Has(o) {
			parts = append(parts, o.String())
		}
	}
	return strings.Join(parts, ",")
}

// PeerFailures is every outcome that says the peer could not serve us: the
// default set of counted failures (everything but success and rejected).
const PeerFailures = OutcomeSet(1<<OutcomeDialFailed | 1<<OutcomeTimeout | 1<<OutcomeDisconnected |
	1<<OutcomePingFailed | 1<<OutcomeUnsupportedTopic | 1<<OutcomeRateLimited | 1<<OutcomeServerError |
	1<<OutcomeUnavailable | 1<<OutcomeFilterPingFailed | 1<<OutcomeFilterSubscribeFailed)
