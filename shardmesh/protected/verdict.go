package protected

// Result is what a relay does with a message, in gossipsub terms.
type Result uint8

// Results.
const (
	// Accept: deliver and forward.
	Accept Result = iota + 1
	// Reject: drop, and let gossipsub penalise the sender (P4).
	Reject
	// Ignore: drop without penalty.
	Ignore
)

var resultText = [...]string{"", "accept", "reject", "ignore"}

func (r Result) String() string {
	if int(r) < len(resultText) && r != 0 {
		return resultText[r]
	}
	return "result?"
}

// Reason says why a message got its Result.
type Reason uint8

// Reasons, in the order the Validator checks them.
const (
	// ReasonValid: signed by the shard key, within the window, first seen.
	ReasonValid Reason = iota
	// ReasonMalformed: the data is not a WakuMessage (see Unmarshal).
	ReasonMalformed
	// ReasonNoTimestamp: timestamp absent or 0.
	ReasonNoTimestamp
	// ReasonOutsideWindow: |now − timestamp| is above the window (5 min).
	ReasonOutsideWindow
	// ReasonBadMetaLength: meta is not exactly 64 bytes.
	ReasonBadMetaLength
	// ReasonReplay: a message with the same signing hash was accepted
	// within the window. Ignored, not rejected: an honest peer may forward
	// it again once gossipsub's seen cache (2 min) has forgotten it, or
	// carry a copy that differs only in fields the signature does not
	// cover (version, unknown fields).
	ReasonReplay
	// ReasonBadSignature: meta is not a valid low-s signature of the
	// signing hash by the shard key (nor by the previous key while Rotate
	// keeps it accepted).
	ReasonBadSignature
	// ReasonValidPreviousKey: as ReasonValid, but signed by the key that
	// Rotate replaced, within the time it keeps that key accepted. Checked
	// only when the current key does not verify; its counter stops growing
	// once every publisher has switched to the new key.
	ReasonValidPreviousKey

	// NumReasons is the number of reasons, for arrays indexed by Reason.
	NumReasons
)

var reasonText = [...]string{
	ReasonValid:         "valid",
	ReasonMalformed:     "malformed",
	ReasonNoTimestamp:   "no_timestamp",
	ReasonOutsideWindow: "outside_window",
	ReasonBadMetaLength: "bad_meta_length",
	ReasonReplay:        "replay",
	ReasonBadSignature:  "bad_signature",

	ReasonValidPreviousKey: "valid_previous_key",
}

// String returns a snake_case name, usable as a metric label.
func (r Reason) String() string {
	if int(r) < len(reasonText) {
		return reasonText[r]
	}
	return "reason?"
}

// Result returns what the reason leads to.
func (r Reason) Result() Result {
	switch r {
	case ReasonValid, ReasonValidPreviousKey:
		return Accept
	case ReasonReplay:
		return Ignore
	default:
		return Reject
	}
}

// Verdict is the outcome of validating one message.
type Verdict struct {
	Result Result
	Reason Reason
	// Hash is the message's signing hash (zero when it was malformed).
	Hash Hash
}
