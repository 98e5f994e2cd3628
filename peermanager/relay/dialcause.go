package relay

import "fmt"

// DialCause says why a dial failed, as far as the shell could tell from the
// error its transport returned. The core only counts causes (Stats and
// Snapshot); backoff treats every cause alike.
type DialCause uint8

// Dial failure causes. The shell classifies; CauseUnknown is the default of
// a DialFailed event that names none.
const (
	CauseUnknown DialCause = iota
	// CauseTimeout: the dial's deadline passed (an I/O timeout included).
	CauseTimeout
	// CauseRefused: the remote refused the connection (nothing listening).
	CauseRefused
	// CauseBackoff: the transport's own dial backoff refused to try.
	CauseBackoff
	// CauseSecurity: the security or muxer handshake failed.
	CauseSecurity
	// CauseLimit: a connection gater or resource manager said no (ours or,
	// as far as the error shows, the peer's).
	CauseLimit
	// CauseNoAddress: the peer had no address we could dial.
	CauseNoAddress
	// CauseExpired: the shell never reported the dial back (counted by the
	// core itself when a dial outlives twice its timeout).
	CauseExpired
	numDialCauses
)

// NumDialCauses is the number of DialCause values.
const NumDialCauses = int(numDialCauses)

var dialCauseText = [NumDialCauses]string{
	"unknown", "timeout", "refused", "backoff", "security", "limit", "no-address", "expired",
}

// String returns the cause's report label.
func (c DialCause) String() string {
	if int(c) < NumDialCauses {
		return dialCauseText[c]
	}
	return fmt.Sprintf("cause(%d)", uint8(c))
}
