package protected

import (
	"fmt"
	"time"
)

// keySet is what a Validator verifies signatures with. It is never
// modified: Rotate stores a new one, so that Validate, which runs
// concurrently, reads a consistent pair without taking the mutex.
type keySet struct {
	current PublicKey
	// previous is the key Rotate replaced (zero: none), accepted while
	// now is before until.
	previous PublicKey
	until    time.Time
}

// verify returns ReasonValid when sig is the current key's signature of
// hash, ReasonValidPreviousKey when it is the previous key's and now is
// before that key's deadline, ReasonBadSignature otherwise. The previous
// key is tried only after the current one fails, so outside a rotation, and
// for messages under the new key, there is one verification as before; an
// invalid signature costs two during the window.
func (ks *keySet) verify(hash Hash, sig []byte, now time.Time) Reason {
	if ks.current.Verify(hash, sig) {
		return ReasonValid
	}
	if ks.acceptsPrevious(now) && ks.previous.Verify(hash, sig) {
		return ReasonValidPreviousKey
	}
	return ReasonBadSignature
}

func (ks *keySet) acceptsPrevious(now time.Time) bool {
	return !ks.previous.IsZero() && now.Before(ks.until)
}

// Keys is what a Validator accepts at a given time.
type Keys struct {
	// Current is the key messages must be signed with.
	Current PublicKey
	// Previous is the key the last Rotate replaced, while it is still
	// accepted (zero otherwise); Until is the instant from which it is
	// refused (zero when Previous is).
	Previous PublicKey
	Until    time.Time
}

// Keys returns the keys the Validator accepts at now.
func (v *Validator) Keys(now time.Time) Keys {
	ks := v.keys.Load()
	k := Keys{Current: ks.current}
	if ks.acceptsPrevious(now) {
		k.Previous, k.Until = ks.previous, ks.until
	}
	return k
}

// Rotate makes next the key messages must be signed with, and keeps the key
// it replaces accepted for keepPrevious from now: a message signed with it
// is accepted (ReasonValidPreviousKey) when validated before
// now+keepPrevious, and refused (ReasonBadSignature) from that instant on.
// This is the overlap a key change needs: relays rotate first, keeping the
// old key, and the publishers switch to the new key within the window, so
// that no honest message is refused (and no honest peer penalised by
// gossipsub) in between. keepPrevious 0 replaces the key at once.
//
// Only one previous key is kept: rotating again during a window makes the
// key being replaced the previous one, with the new deadline, and the older
// one is refused at once. Rotating to the current key changes nothing (a
// window in progress keeps its deadline). The replay cache and the counters
// are kept across rotations: a message accepted under the old key is still
// a replay when it comes again.
//
// Rotate returns an *OptionError when next is the zero key or keepPrevious
// is negative. Like Validate it reads no clock: the deadline is computed
// from now, which should come from the clock Validate's callers use.
func (v *Validator) Rotate(next PublicKey, keepPrevious time.Duration, now time.Time) error {
	if next.IsZero() {
		return &OptionError{Option: "Rotate", Reason: "no public key"}
	}
	if keepPrevious < 0 {
		return &OptionError{Option: "Rotate", Reason: fmt.Sprintf("keepPrevious %v, want >= 0 (0: replace at once)", keepPrevious)}
	}
	// The mutex serialises rotations, so that two concurrent ones do not
	// both take the same current key as their previous one.
	v.mu.Lock()
	defer v.mu.Unlock()
	old := v.keys.Load()
	if next == old.current {
		return nil
	}
	ks := &keySet{current: next}
	if keepPrevious > 0 {
		ks.previous, ks.until = old.current, now.Add(keepPrevious)
	}
	v.keys.Store(ks)
	return nil
}
