package protected

import (
	"errors"
	"math"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

const testTopic = "/waku/2/rs/16/32"

var testNow = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

func testKeys(t testing.TB) (PrivateKey, *Signer, *Validator) {
	t.Helper()
	priv, err := ParsePrivateKey(specPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := NewSigner(testTopic, priv)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidator(testTopic, priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return priv, signer, v
}

func signedAt(t testing.TB, s *Signer, ts time.Time, payload string) Message {
	t.Helper()
	m := Message{Payload: []byte(payload), ContentTopic: "/qa/1/chat/proto", Timestamp: ts.UnixNano()}
	if err := s.Sign(&m, testNow); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestValidatorReasons(t *testing.T) {
	other, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, _ := NewSigner(testTopic, other)
	wrongTopic, _ := NewSigner("/waku/2/rs/16/33", must(ParsePrivateKey(specPrivateKey)))
	_, signer, _ := testKeys(t)

	tests := []struct {
		name string
		msg  func() Message
		want Reason
	}{
		{"valid", func() Message { return signedAt(t, signer, testNow, "a") }, ReasonValid},
		{"timestamp 0", func() Message {
			m := signedAt(t, signer, testNow, "a")
			m.Timestamp = 0
			return m
		}, ReasonNoTimestamp},
		{"5 min in the past is still valid", func() Message { return signedAt(t, signer, testNow.Add(-DefaultWindow), "a") }, ReasonValid},
		{"5 min in the future is still valid", func() Message { return signedAt(t, signer, testNow.Add(DefaultWindow), "a") }, ReasonValid},
		{"1 ns past the window", func() Message { return signedAt(t, signer, testNow.Add(-DefaultWindow-1), "a") }, ReasonOutsideWindow},
		{"1 ns ahead of the window", func() Message { return signedAt(t, signer, testNow.Add(DefaultWindow+1), "a") }, ReasonOutsideWindow},
		{"extreme timestamp", func() Message { return Message{Timestamp: math.MinInt64, Meta: make([]byte, 64)} }, ReasonOutsideWindow},
		{"no meta", func() Message {
			m := signedAt(t, signer, testNow, "a")
			m.Meta = nil
			return m
		}, ReasonBadMetaLength},
		{"meta one byte short", func() Message {
			m := signedAt(t, signer, testNow, "a")
			m.Meta = m.Meta[:63]
			return m
		}, ReasonBadMetaLength},
		{"other key", func() Message { return signedAt(t, otherSigner, testNow, "a") }, ReasonBadSignature},
		{"signed for another shard", func() Message { return signedAt(t, wrongTopic, testNow, "a") }, ReasonBadSignature},
		{"payload changed after signing", func() Message {
			m := signedAt(t, signer, testNow, "a")
			m.Payload = []byte("b")
			return m
		}, ReasonBadSignature},
		{"ephemeral flipped after signing", func() Message {
			m := signedAt(t, signer, testNow, "a")
			m.Ephemeral = !m.Ephemeral
			return m
		}, ReasonBadSignature},
		{"high-s twin of a valid signature", func() Message {
			m := signedAt(t, signer, testNow, "a")
			m.Meta = highS(m.Meta)
			return m
		}, ReasonBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, v := testKeys(t)
			m := tt.msg()
			vd := v.Validate(m.Marshal(), testNow)
			if vd.Reason != tt.want || vd.Result != tt.want.Result() {
				t.Fatalf("verdict %v/%v, want %v/%v", vd.Result, vd.Reason, tt.want.Result(), tt.want)
			}
			if got := v.Stats().ByReason[tt.want]; got != 1 {
				t.Fatalf("count of %v is %d, want 1", tt.want, got)
			}
		})
	}
	t.Run("malformed", func(t *testing.T) {
		_, _, v := testKeys(t)
		if vd := v.Validate([]byte{0x0a, 9}, testNow); vd.Result != Reject || vd.Reason != ReasonMalformed {
			t.Fatalf("verdict %+v", vd)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// highS returns r ‖ N−s: the same signature in its malleable high-s form.
func highS(sig []byte) []byte {
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(crypto.S256().Params().N, s)
	out := append([]byte(nil), sig[:32]...)
	return append(out, s.FillBytes(make([]byte, 32))...)
}

// The gap the replay cache closes: gossipsub forgets a message id after
// 2 min, the window lasts 5 min, and the signature does not cover the
// version (nor unknown fields), so a captured message can be replayed
// verbatim after 2 min, or at once with a changed version (new bytes, new
// message id).
func TestReplaysIgnoredAcrossTheWindow(t *testing.T) {
	_, signer, v := testKeys(t)
	m := signedAt(t, signer, testNow, "hello")
	data := m.Marshal()
	if vd := v.Validate(data, testNow); vd.Result != Accept {
		t.Fatalf("first copy: %+v", vd)
	}

	twin := m
	twin.Version = 7 // not signed: new bytes, same signing hash
	for _, tc := range []struct {
		name string
		data []byte
		at   time.Time
		want Reason
	}{
		{"verbatim, at once", data, testNow, ReasonReplay},
		{"other version, at once", twin.Marshal(), testNow.Add(time.Second), ReasonReplay},
		{"verbatim, after the seen cache", data, testNow.Add(3 * time.Minute), ReasonReplay},
		{"verbatim, at the window's end", data, testNow.Add(DefaultWindow), ReasonReplay},
		{"verbatim, after the window", data, testNow.Add(DefaultWindow + 1), ReasonOutsideWindow},
	} {
		if vd := v.Validate(tc.data, tc.at); vd.Reason != tc.want {
			t.Fatalf("%s: %v/%v, want %v", tc.name, vd.Result, vd.Reason, tc.want)
		}
	}
	// The entry is dropped lazily, by the next message within the window.
	s := v.Stats()
	if s.Count(Accept) != 1 || s.Count(Ignore) != 4 || s.Count(Reject) != 1 || s.ReplayEntries != 1 {
		t.Fatalf("stats %+v", s)
	}

	// nwaku and go-waku behaviour, for comparison: every replay is accepted.
	priv, _, _ := testKeys(t)
	plain, _ := NewValidator(testTopic, priv.Public(), WithoutReplayProtection())
	for _, at := range []time.Time{testNow, testNow.Add(3 * time.Minute)} {
		if vd := plain.Validate(data, at); vd.Result != Accept {
			t.Fatalf("without replay protection at %v: %+v", at, vd)
		}
	}
}

func TestReplayCacheBoundedAndExpiring(t *testing.T) {
	priv, signer, _ := testKeys(t)
	v, err := NewValidator(testTopic, priv.Public(), WithReplayCapacity(2))
	if err != nil {
		t.Fatal(err)
	}
	msgs := []Message{
		signedAt(t, signer, testNow.Add(-time.Minute), "oldest"),
		signedAt(t, signer, testNow, "middle"),
		signedAt(t, signer, testNow.Add(time.Minute), "newest"),
	}
	for _, m := range msgs {
		if vd := v.Validate(m.Marshal(), testNow); vd.Result != Accept {
			t.Fatalf("%s: %+v", m.Payload, vd)
		}
	}
	s := v.Stats()
	if s.ReplayEntries != 2 || s.ReplayEvictions != 1 {
		t.Fatalf("stats %+v, want 2 entries and 1 eviction", s)
	}
	// The evicted one is the one expiring first; the others are still known.
	if vd := v.Validate(msgs[1].Marshal(), testNow); vd.Reason != ReasonReplay {
		t.Fatalf("middle: %+v", vd)
	}
	if vd := v.Validate(msgs[0].Marshal(), testNow); vd.Result != Accept {
		t.Fatalf("evicted message should be accepted again: %+v", vd)
	}
	// Past every expiry, the next message empties the cache.
	late := testNow.Add(time.Minute + DefaultWindow + 1)
	if vd := v.Validate(signedAt(t, signer, late, "later").Marshal(), late); vd.Result != Accept {
		t.Fatalf("later: %+v", vd)
	}
	if s := v.Stats(); s.ReplayEntries != 1 {
		t.Fatalf("entries after expiry: %+v", s)
	}
}

func TestConcurrentCopiesAcceptedOnce(t *testing.T) {
	_, signer, v := testKeys(t)
	data := signedAt(t, signer, testNow, "race").Marshal()
	var accepted atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if v.Validate(data, testNow).Result == Accept {
				accepted.Add(1)
			}
		})
	}
	wg.Wait()
	if n := accepted.Load(); n != 1 {
		t.Fatalf("%d copies accepted, want 1", n)
	}
}

func TestOptionsAndKeysValidate(t *testing.T) {
	pub := must(ParsePrivateKey(specPrivateKey)).Public()
	for name, err := range map[string]error{
		"window":   second(NewValidator(testTopic, pub, WithWindow(0))),
		"capacity": second(NewValidator(testTopic, pub, WithReplayCapacity(0))),
		"topic":    second(NewValidator("", pub)),
		"key":      second(NewValidator(testTopic, PublicKey{})),
		"nil":      second(NewValidator(testTopic, pub, nil)),
	} {
		var oe *OptionError
		if !errors.As(err, &oe) {
			t.Errorf("%s: %v, want an *OptionError", name, err)
		}
	}
	for _, s := range []string{"", "0x", "zz", "04" + "00", specPublicKey[:64], specPublicKey[:128] + "00"} {
		if _, err := ParsePublicKey(s); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ParsePublicKey(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "0x00", specPrivateKey + "00", "00" + specPrivateKey[2:] + "zz"} {
		if _, err := ParsePrivateKey(s); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ParsePrivateKey(%q): %v", s, err)
		}
	}
	// Compressed and uncompressed forms are the same key.
	compressed := "0x" + hexOf(crypto.CompressPubkey(must(crypto.UnmarshalPubkey(pub.Bytes()))))
	if k, err := ParsePublicKey(compressed); err != nil || k != pub {
		t.Fatalf("compressed key: %v %v", k.Hex(), err)
	}
	if _, err := NewSigner(testTopic, PrivateKey{}); err == nil {
		t.Fatal("signer without key")
	}
}

func second[T any](_ T, err error) error { return err }

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&0xf])
	}
	return string(out)
}

func TestCheckIsADryRun(t *testing.T) {
	_, signer, v := testKeys(t)
	m := signedAt(t, signer, testNow, "dry")
	for range 2 {
		if vd := v.Check(&m, testNow); vd.Result != Accept {
			t.Fatalf("check: %+v", vd)
		}
	}
	if s := v.Stats(); s.Count(Accept) != 0 || s.ReplayEntries != 0 {
		t.Fatalf("check recorded something: %+v", s)
	}
	if vd := v.ValidateMessage(&m, testNow); vd.Result != Accept {
		t.Fatalf("validate after check: %+v", vd)
	}
	if vd := v.Check(&m, testNow); vd.Reason != ReasonReplay {
		t.Fatalf("check after validate: %+v", vd)
	}
}
