package selection

import "testing"

// The info text of a light push v2 response comes from the network: any
// text maps to an outcome a rule can use, never success unless is_success.
func FuzzOutcomeOfLightPushV2(f *testing.F) {
	for _, s := range []string{"OK", "TOO_MANY_REQUESTS", "exceeds the rate limit", "invalid request: x",
		"Could not publish message: not enough peers", "", "\xff\xfe"} {
		f.Add(false, s)
		f.Add(true, s)
	}
	f.Fuzz(func(t *testing.T, ok bool, info string) {
		o := OutcomeOfLightPushV2(ok, info)
		if o >= numOutcomes {
			t.Fatalf("outcome %d out of range", o)
		}
		if (o == OutcomeSuccess) != ok {
			t.Fatalf("is_success %v gave %v", ok, o)
		}
	})
}
