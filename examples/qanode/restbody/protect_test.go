package restbody

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestProtectKeepPreviousKeyFor(t *testing.T) {
	const key = `"publicKey":"0x049c5fac802da41e07e6cdf51c3b9a6351ad5e65921527f2df5b7d59fd9b56ab02bab736cdcfc37f25095e78127500da371947217a8cd5186ab890ea866211c3f6"`
	tests := []struct {
		field    string
		want     time.Duration
		errorHas string
	}{
		{``, 0, ""},
		{`,"keepPreviousKeyFor":"10m"`, 10 * time.Minute, ""},
		{`,"keepPreviousKeyFor":"0s"`, 0, ""},
		{`,"keepPreviousKeyFor":"24h"`, MaxKeepPrevious, ""},
		{`,"keepPreviousKeyFor":"24h0m0.001s"`, 0, "to 24h0m0s"},
		{`,"keepPreviousKeyFor":"-1s"`, 0, "want 0 (replace the key at once)"},
		{`,"keepPreviousKeyFor":600`, 0, `want a duration string such as "10m"`},
		{`,"keepPreviousKeyFor":null`, 0, `want a duration such as "10m"`},
		{`,"keepPreviousKeyFor":"10 min"`, 0, `want a duration such as "10m"`},
	}
	for _, tt := range tests {
		var p Protect
		if err := json.Unmarshal([]byte(`{"shard":32,`+key+tt.field+`}`), &p); err != nil {
			t.Fatal(err)
		}
		got, err := p.Parse(16)
		switch {
		case tt.errorHas == "" && (err != nil || got.KeepPrevious != tt.want):
			t.Errorf("%s: %v, %v; want %v", tt.field, got.KeepPrevious, err, tt.want)
		case tt.errorHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errorHas)):
			t.Errorf("%s: error %v, want one with %q", tt.field, err, tt.errorHas)
		}
	}
}
