package protected

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultWindow is how far a message's timestamp may be from now:
// MessageWindowInSec, 5 minutes, in STATUS-SIMPLE-SCALING, nwaku
// (validator_signed.nim) and go-waku (validators.go, messageWindowDuration).
// The spec and go-waku accept a timestamp exactly 5 min away, nwaku only
// below; here, as in the spec, |now − timestamp| > window is refused.
const DefaultWindow = 5 * time.Minute

// DefaultReplayCapacity bounds the replay cache: at 64 Ki entries of about
// 100 bytes, some 6 MiB, enough for 100 messages/s over the 10 minutes an
// entry can live (a timestamp up to 5 min ahead, remembered until 5 min
// after it).
const DefaultReplayCapacity = 1 << 16

// OptionError reports an invalid argument or option of NewValidator, or an
// invalid argument of Rotate.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return "protected: invalid option " + e.Option + ": " + e.Reason
}

// Option configures a Validator.
type Option func(*config) error

type config struct {
	window   time.Duration
	capacity int
	noReplay bool
}

// WithWindow sets the timestamp window (default DefaultWindow).
func WithWindow(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return &OptionError{Option: "WithWindow", Reason: fmt.Sprintf("window %v must be positive", d)}
		}
		c.window = d
		return nil
	}
}

// WithReplayCapacity bounds the replay cache (default
// DefaultReplayCapacity).
func WithReplayCapacity(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return &OptionError{Option: "WithReplayCapacity", Reason: fmt.Sprintf("%d, want >= 1 (or WithoutReplayProtection)", n)}
		}
		c.capacity = n
		return nil
	}
}

// WithoutReplayProtection validates as nwaku and go-waku do, relying on
// gossipsub's seen cache alone (for comparisons; see the package doc).
func WithoutReplayProtection() Option {
	return func(c *config) error {
		c.noReplay = true
		return nil
	}
}

// Validator checks the messages of one protected pubsub topic. It is a pure
// decision: the caller passes the data and now; it reads no clock, does no
// I/O and starts no goroutine. It is safe for concurrent use (gossipsub
// validates messages of different peers concurrently): a mutex guards the
// replay cache and counters, and signatures are verified outside it. The
// keys are an immutable keySet swapped whole by Rotate, so verification
// reads them without the mutex.
type Validator struct {
	topic string
	keys  atomic.Pointer[keySet]
	cfg   config

	mu     sync.Mutex
	replay *replayCache
	counts [NumReasons]uint64
}

// NewValidator returns the validator of pubsubTopic, whose messages must be
// signed with the private key of key.
func NewValidator(pubsubTopic string, key PublicKey, opts ...Option) (*Validator, error) {
	if pubsubTopic == "" {
		return nil, &OptionError{Option: "pubsubTopic", Reason: "empty"}
	}
	if key.IsZero() {
		return nil, &OptionError{Option: "key", Reason: "no public key"}
	}
	cfg := config{window: DefaultWindow, capacity: DefaultReplayCapacity}
	for _, o := range opts {
		if o == nil {
			return nil, &OptionError{Option: "option", Reason: "nil option"}
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	v := &Validator{topic: pubsubTopic, cfg: cfg}
	v.keys.Store(&keySet{current: key})
	if !cfg.noReplay {
		v.replay = newReplayCache(cfg.capacity)
	}
	return v, nil
}

// PubsubTopic returns the protected topic.
func (v *Validator) PubsubTopic() string { return v.topic }

// PublicKey returns the key messages must be signed with (the current one
// since the last Rotate; see Keys for the previous one).
func (v *Validator) PublicKey() PublicKey { return v.keys.Load().current }

// Window returns the timestamp window.
func (v *Validator) Window() time.Duration { return v.cfg.window }

// Validate decodes data as a WakuMessage and validates it at now.
func (v *Validator) Validate(data []byte, now time.Time) Verdict {
	m, err := Unmarshal(data)
	if err != nil {
		return v.count(Verdict{Result: Reject, Reason: ReasonMalformed})
	}
	return v.ValidateMessage(&m, now)
}

// ValidateMessage validates m at now, in the spec's order: a timestamp must
// be set and within the window of now, meta must be 64 bytes and a valid
// signature of the signing hash by the shard key. On top of the spec, a
// message whose signing hash was accepted before is ignored until its
// timestamp leaves the window (ReasonReplay); the check runs before the
// signature so that replays cost no verification, and only verified
// messages are remembered.
func (v *Validator) ValidateMessage(m *Message, now time.Time) Verdict {
	return v.count(v.decide(m, now, true))
}

// Check returns the verdict ValidateMessage would give m at now, without
// remembering it or counting it: a publisher's dry run, so that its own
// relay, which validates the message again, does not take it for a replay.
func (v *Validator) Check(m *Message, now time.Time) Verdict {
	return v.decide(m, now, false)
}

func (v *Validator) decide(m *Message, now time.Time, commit bool) Verdict {
	if m.Timestamp == 0 {
		return Verdict{Result: Reject, Reason: ReasonNoTimestamp}
	}
	nowNs, window := now.UnixNano(), v.cfg.window.Nanoseconds()
	// Compared this way round so that extreme timestamps cannot overflow.
	if m.Timestamp < nowNs-window || m.Timestamp > nowNs+window {
		return Verdict{Result: Reject, Reason: ReasonOutsideWindow}
	}
	if len(m.Meta) != 64 {
		return Verdict{Result: Reject, Reason: ReasonBadMetaLength}
	}
	hash := SigningHash(v.topic, m)
	if v.replay != nil && v.seen(hash, nowNs) {
		return Verdict{Result: Ignore, Reason: ReasonReplay, Hash: hash}
	}
	reason := v.keys.Load().verify(hash, m.Meta, now)
	if reason.Result() != Accept {
		return Verdict{Result: Reject, Reason: reason, Hash: hash}
	}
	if commit && v.replay != nil && !v.remember(hash, m.Timestamp+window, nowNs) {
		// Another copy was accepted while we verified this one.
		return Verdict{Result: Ignore, Reason: ReasonReplay, Hash: hash}
	}
	return Verdict{Result: Accept, Reason: reason, Hash: hash}
}

func (v *Validator) seen(h Hash, nowNs int64) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.replay.prune(nowNs)
	return v.replay.contains(h)
}

// remember records h until expiry unless it is already there.
func (v *Validator) remember(h Hash, expiry, nowNs int64) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.replay.prune(nowNs)
	if v.replay.contains(h) {
		return false
	}
	v.replay.add(h, expiry)
	return true
}

func (v *Validator) count(vd Verdict) Verdict {
	v.mu.Lock()
	v.counts[vd.Reason]++
	v.mu.Unlock()
	return vd
}

// Stats counts a Validator's verdicts.
type Stats struct {
	// ByReason counts verdicts per Reason: ByReason[ReasonValid] is the
	// number of messages accepted under the current key,
	// ByReason[ReasonValidPreviousKey] under the previous one during a
	// rotation (Count(Accept) is their sum).
	ByReason [NumReasons]uint64
	// ReplayEntries is the number of signing hashes remembered;
	// ReplayEvictions counts those dropped early because the cache was
	// full (replays of those would be accepted again).
	ReplayEntries   int
	ReplayEvictions uint64
}

// Count returns the number of verdicts with result r.
func (s Stats) Count(r Result) uint64 {
	var n uint64
	for reason, c := range s.ByReason {
		if Reason(reason).Result() == r {
			n += c
		}
	}
	return n
}

// Stats returns the counters.
func (v *Validator) Stats() Stats {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := Stats{ByReason: v.counts}
	if v.replay != nil {
		s.ReplayEntries, s.ReplayEvictions = v.replay.len(), v.replay.evictions
	}
	return s
}
