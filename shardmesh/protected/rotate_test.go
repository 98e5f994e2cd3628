package protected

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"
)

// rotationKeys returns three signers (keys A, B, C) and a validator holding
// A.
func rotationKeys(t testing.TB) ([3]*Signer, *Validator) {
	t.Helper()
	var signers [3]*Signer
	for i := range signers {
		k, err := GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		if signers[i], err = NewSigner(testTopic, k); err != nil {
			t.Fatal(err)
		}
	}
	v, err := NewValidator(testTopic, signers[0].PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	return signers, v
}

const (
	keyA = iota
	keyB
	keyC
)

// TestRotate walks a validator through rotations and checks, at each step,
// which key a fresh message may be signed with. Offsets are from testNow.
func TestRotate(t *testing.T) {
	type rotate struct {
		at   time.Duration
		to   int
		keep time.Duration
	}
	type check struct {
		at   time.Duration
		key  int
		want Reason
	}
	tests := []struct {
		name    string
		rotates []rotate
		checks  []check
	}{
		{"no rotation: only the key", nil, []check{
			{0, keyA, ReasonValid}, {0, keyB, ReasonBadSignature},
		}},
		{"both keys accepted inside the window", []rotate{{0, keyB, 10 * time.Minute}}, []check{
			{0, keyB, ReasonValid}, {0, keyA, ReasonValidPreviousKey},
			{9 * time.Minute, keyA, ReasonValidPreviousKey}, {9 * time.Minute, keyB, ReasonValid},
			{0, keyC, ReasonBadSignature},
		}},
		{"the deadline is exclusive: 1 ns before it accepted, at it refused", []rotate{{0, keyB, 10 * time.Minute}}, []check{
			{10*time.Minute - 1, keyA, ReasonValidPreviousKey},
			{10 * time.Minute, keyA, ReasonBadSignature},
			{10 * time.Minute, keyB, ReasonValid},
		}},
		{"old key refused after the window", []rotate{{0, keyB, 10 * time.Minute}}, []check{
			{11 * time.Minute, keyA, ReasonBadSignature}, {11 * time.Minute, keyB, ReasonValid},
		}},
		{"zero window replaces the key at once", []rotate{{0, keyB, 0}}, []check{
			{0, keyA, ReasonBadSignature}, {0, keyB, ReasonValid},
		}},
		{"rotating again in a window: the replaced key becomes the previous one, the older one is dropped",
			[]rotate{{0, keyB, 10 * time.Minute}, {5 * time.Minute, keyC, 10 * time.Minute}}, []check{
				{6 * time.Minute, keyA, ReasonBadSignature}, // its window ran to 10 min
				{6 * time.Minute, keyB, ReasonValidPreviousKey},
				{6 * time.Minute, keyC, ReasonValid},
				{14 * time.Minute, keyB, ReasonValidPreviousKey}, // new deadline: 5 + 10 min
				{15 * time.Minute, keyB, ReasonBadSignature},
			}},
		{"rotating again with a zero window drops both old keys",
			[]rotate{{0, keyB, 10 * time.Minute}, {time.Minute, keyC, 0}}, []check{
				{time.Minute, keyA, ReasonBadSignature}, {time.Minute, keyB, ReasonBadSignature}, {time.Minute, keyC, ReasonValid},
			}},
		{"rotating to the current key changes nothing, the window keeps its deadline",
			[]rotate{{0, keyB, 10 * time.Minute}, {time.Minute, keyB, 0}}, []check{
				{2 * time.Minute, keyA, ReasonValidPreviousKey}, {10 * time.Minute, keyA, ReasonBadSignature},
			}},
		{"rolling back in a window: the new key becomes the previous one",
			[]rotate{{0, keyB, 10 * time.Minute}, {time.Minute, keyA, 3 * time.Minute}}, []check{
				{2 * time.Minute, keyA, ReasonValid}, {2 * time.Minute, keyB, ReasonValidPreviousKey},
				{4 * time.Minute, keyB, ReasonBadSignature},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signers, v := rotationKeys(t)
			for _, r := range tt.rotates {
				if err := v.Rotate(signers[r.to].PublicKey(), r.keep, testNow.Add(r.at)); err != nil {
					t.Fatal(err)
				}
			}
			for i, c := range tt.checks {
				at := testNow.Add(c.at)
				m := signedAt(t, signers[c.key], at, "check "+strconv.Itoa(i))
				if ck := v.Check(&m, at); ck.Reason != c.want {
					t.Errorf("check %d: Check gives %v, want %v", i, ck.Reason, c.want)
				}
				vd := v.ValidateMessage(&m, at)
				if vd.Reason != c.want || vd.Result != c.want.Result() {
					t.Errorf("check %d: key %c at +%v: %v (%v), want %v", i, 'A'+c.key, c.at, vd.Result, vd.Reason, c.want)
				}
			}
		})
	}
}

func TestRotateKeysAndStats(t *testing.T) {
	signers, v := rotationKeys(t)
	a, b := signers[keyA].PublicKey(), signers[keyB].PublicKey()
	if got := v.Keys(testNow); got != (Keys{Current: a}) {
		t.Fatalf("Keys before rotation = %+v", got)
	}
	if err := v.Rotate(b, 10*time.Minute, testNow); err != nil {
		t.Fatal(err)
	}
	deadline := testNow.Add(10 * time.Minute)
	if got := v.Keys(testNow.Add(time.Minute)); got != (Keys{Current: b, Previous: a, Until: deadline}) {
		t.Errorf("Keys in the window = %+v", got)
	}
	if got := v.Keys(deadline); got != (Keys{Current: b}) {
		t.Errorf("Keys at the deadline = %+v, want the previous key gone", got)
	}
	if v.PublicKey() != b {
		t.Errorf("PublicKey = %v, want the new key", v.PublicKey().Hex())
	}

	// Two messages under A, one under B, then A's message again: a replay
	// across the rotation is still a replay.
	mA1 := signedAt(t, signers[keyA], testNow, "a1")
	mA2 := signedAt(t, signers[keyA], testNow, "a2")
	mB := signedAt(t, signers[keyB], testNow, "b")
	for _, m := range []Message{mA1, mA2, mB, mA1} {
		v.ValidateMessage(&m, testNow.Add(time.Minute))
	}
	st := v.Stats()
	if st.ByReason[ReasonValidPreviousKey] != 2 || st.ByReason[ReasonValid] != 1 || st.ByReason[ReasonReplay] != 1 || st.Count(Accept) != 3 {
		t.Errorf("counters = %v, want 2 under the previous key, 1 under the current one, 1 replay", st.ByReason)
	}
}

func TestRotateRefusesBadArguments(t *testing.T) {
	signers, v := rotationKeys(t)
	var oe *OptionError
	if err := v.Rotate(PublicKey{}, time.Minute, testNow); !errors.As(err, &oe) {
		t.Errorf("zero key: %v, want *OptionError", err)
	}
	if err := v.Rotate(signers[keyB].PublicKey(), -time.Nanosecond, testNow); !errors.As(err, &oe) {
		t.Errorf("negative window: %v, want *OptionError", err)
	}
	if v.PublicKey() != signers[keyA].PublicKey() {
		t.Error("a refused rotation changed the key")
	}
}

// TestRotateConcurrent validates messages under A and B while another
// goroutine rotates back and forth between them with a long window: every
// message must be accepted, whichever key is current (run with -race).
func TestRotateConcurrent(t *testing.T) {
	signers, v := rotationKeys(t)
	if err := v.Rotate(signers[keyB].PublicKey(), time.Hour, testNow); err != nil {
		t.Fatal(err)
	}
	const n = 64
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = signedAt(t, signers[i%2], testNow, "m"+strconv.Itoa(i))
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			if err := v.Rotate(signers[i%2].PublicKey(), time.Hour, testNow); err != nil {
				t.Error(err)
			}
		}
	})
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				if vd := v.ValidateMessage(&msgs[i], testNow); vd.Result != Accept {
					t.Errorf("message %d: %v (%v)", i, vd.Result, vd.Reason)
				}
			}
		})
	}
	wg.Wait()
	if got := v.Stats().Count(Accept); got != n {
		t.Errorf("accepted %d, want %d", got, n)
	}
}
