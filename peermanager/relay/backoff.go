package relay

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// JitterMode says how a backoff delay is randomised.
type JitterMode uint8

// Jitter modes.
const (
	// JitterNone: the delay is exact (nwaku).
	JitterNone JitterMode = iota
	// JitterProportional: the delay is scaled by a uniform factor in
	// [1-Jitter, 1] (ours: spreads redials without ever waiting longer
	// than the schedule says).
	JitterProportional
	// JitterFull: uniform in [Initial, delay), as go-libp2p's
	// backoff.FullJitter with min=Initial (go-waku).
	JitterFull
)

// Backoff is the redial schedule after failed dials: the n-th
// consecutive failure (n >= 1) bars the peer for
// Initial × Factor^(n-1), capped at Max, randomised by Jitter.
type Backoff struct {
	Initial time.Duration
	Factor  float64
	Max     time.Duration
	Jitter  JitterMode
	// JitterFraction is the spread of JitterProportional, in (0, 1].
	JitterFraction float64
	// Unit, when set, switches to go-libp2p's exponential form used by
	// go-waku: Factor^(n-1) × Unit, then bounded to [Initial, Max] by the
	// jitter (see GoWakuPreset).
	Unit time.Duration
	// ResetOnSuccess clears a peer's failures when a dial or connection
	// succeeds (ours, nwaku; go-waku never does).
	ResetOnSuccess bool
	// ResetOnOnline clears every peer's failures when the node comes back
	// online: they were the node's fault, not the peers'.
	ResetOnOnline bool
	// ForgetAfter removes a non-static peer from the book after that many
	// consecutive failures (0: never).
	ForgetAfter int
	// GiveUpAfter stops dialling a peer after that many consecutive
	// failures but keeps it in the book (nwaku's MaxFailedAttempts; 0: never).
	GiveUpAfter int
}

func (b Backoff) validate() error {
	switch {
	case b.Initial <= 0:
		return fmt.Errorf("backoff initial delay %v, want > 0", b.Initial)
	case b.Factor < 1:
		return fmt.Errorf("backoff factor %v, want >= 1", b.Factor)
	case b.Max < b.Initial:
		return fmt.Errorf("backoff cap %v below the initial delay %v", b.Max, b.Initial)
	case b.Jitter == JitterProportional && (b.JitterFraction <= 0 || b.JitterFraction > 1):
		return fmt.Errorf("backoff jitter fraction %v, want in (0, 1]", b.JitterFraction)
	case b.Jitter > JitterFull:
		return fmt.Errorf("backoff: unknown jitter mode %d", b.Jitter)
	case b.ForgetAfter < 0 || b.GiveUpAfter < 0:
		return fmt.Errorf("backoff: negative failure limit")
	}
	return nil
}

// Delay returns how long to wait after the failures-th consecutive failure.
func (b Backoff) Delay(failures int, rng *rand.Rand) time.Duration {
	if failures < 1 {
		return 0
	}
	var d time.Duration
	if b.Unit > 0 {
		// go-libp2p exponential backoff: Factor^(attempt) time units,
		// attempt counted from 0, then bounded to [Initial, Max].
		f := math.Pow(b.Factor, float64(failures-1)) * float64(b.Unit)
		d = max(boundDuration(f, b.Max), b.Initial)
	} else {
		f := float64(b.Initial) * math.Pow(b.Factor, float64(failures-1))
		d = boundDuration(f, b.Max)
	}
	switch b.Jitter {
	case JitterProportional:
		d = time.Duration(float64(d) * (1 - b.JitterFraction*rng.Float64()))
	case JitterFull:
		if d <= b.Initial {
			return b.Initial
		}
		d = b.Initial + time.Duration(rng.Int64N(int64(d-b.Initial)))
	}
	return min(d, b.Max)
}

func boundDuration(f float64, capAt time.Duration) time.Duration {
	if f >= float64(capAt) || math.IsInf(f, 0) || math.IsNaN(f) {
		return capAt
	}
	return time.Duration(f)
}
