package protected

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkValidate/accept: decode, hash and verify a fresh signed message
// (the cost of every first copy); /replay: the same message again (decode,
// hash, cache lookup, no verification); /unmarshal: decode alone;
// /accept_previous_key: as /accept, but signed with the key a rotation
// keeps accepted (the current key is tried first: two verifications).
func BenchmarkValidate(b *testing.B) {
	_, signer, _ := testKeys(b)
	const n = 1024
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = signedAt(b, signer, testNow, "payload "+strconv.Itoa(i)).Marshal()
	}
	b.Run("accept", func(b *testing.B) {
		b.ReportAllocs()
		var v *Validator
		for i := 0; b.Loop(); i++ {
			if i%n == 0 {
				_, _, v = testKeys(b)
			}
			if vd := v.Validate(msgs[i%n], testNow); vd.Result != Accept {
				b.Fatal(vd)
			}
		}
	})
	b.Run("replay", func(b *testing.B) {
		b.ReportAllocs()
		_, _, v := testKeys(b)
		v.Validate(msgs[0], testNow)
		at := testNow.Add(3 * time.Minute)
		for b.Loop() {
			if vd := v.Validate(msgs[0], at); vd.Reason != ReasonReplay {
				b.Fatal(vd)
			}
		}
	})
	b.Run("unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Unmarshal(msgs[0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("accept_previous_key", func(b *testing.B) {
		b.ReportAllocs()
		next, err := GenerateKey()
		if err != nil {
			b.Fatal(err)
		}
		var v *Validator
		for i := 0; b.Loop(); i++ {
			if i%n == 0 {
				_, _, v = testKeys(b)
				if err := v.Rotate(next.Public(), time.Hour, testNow); err != nil {
					b.Fatal(err)
				}
			}
			if vd := v.Validate(msgs[i%n], testNow); vd.Reason != ReasonValidPreviousKey {
				b.Fatal(vd)
			}
		}
	})
}
