package slots

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestNewBudgetDefaultSplit(t *testing.T) {
	cases := []struct {
		max  int
		want Budget
	}{
		{50, Budget{MaxConnections: 50, RelayInbound: 20, RelayOutbound: 10, Reserved: Reserved{Filter: 10, LightPush: 10}, DialHeadroom: 0.1}},
		{300, Budget{MaxConnections: 300, RelayInbound: 120, RelayOutbound: 60, Reserved: Reserved{Filter: 60, LightPush: 60}, DialHeadroom: 0.1}},
		// 12 is the smallest default budget: service 4 (2+2), relay 8 (5 in, 3 out).
		{12, Budget{MaxConnections: 12, RelayInbound: 5, RelayOutbound: 3, Reserved: Reserved{Filter: 2, LightPush: 2}, DialHeadroom: 0.1}},
	}
	for _, c := range cases {
		b, err := NewBudget(c.max)
		if err != nil {
			t.Fatalf("NewBudget(%d): %v", c.max, err)
		}
		if b != c.want {
			t.Errorf("NewBudget(%d) = %s, want %s", c.max, b, c.want)
		}
		if b.Spare() != 0 {
			t.Errorf("NewBudget(%d) leaves %d spare", c.max, b.Spare())
		}
	}
}

func TestNewBudgetKeepsDhiRelayPeersForEveryValidMax(t *testing.T) {
	for m := 1; m <= 2000; m++ {
		b, err := NewBudget(m)
		if err != nil {
			if m >= 12 {
				t.Fatalf("NewBudget(%d): %v", m, err)
			}
			continue
		}
		if m < 12 {
			t.Fatalf("NewBudget(%d) accepted %s", m, b)
		}
		if b.Relay() < MinRelayPeers || b.RelayOutbound < MinRelayOutbound || b.Spare() != 0 {
			t.Fatalf("NewBudget(%d) = %s", m, b)
		}
		if b.Reserved.Filter < 1 || b.Reserved.LightPush < 1 {
			t.Fatalf("NewBudget(%d) reserves no filter or light-push slot: %s", m, b)
		}
	}
}

func TestNewBudgetOptions(t *testing.T) {
	b, err := NewBudget(40, WithReserved(Reserved{Filter: 12, LightPush: 4, Store: 2, PeerExchange: 2}), WithRelayOutbound(8))
	if err != nil {
		t.Fatal(err)
	}
	want := Budget{MaxConnections: 40, RelayInbound: 12, RelayOutbound: 8, Reserved: Reserved{Filter: 12, LightPush: 4, Store: 2, PeerExchange: 2}, DialHeadroom: 0.1}
	if b != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	// Dial limit: relay 20, no spare, headroom ⌈2.0⌉ = 2.
	if b.InboundLimit() != 32 || b.DialLimit() != 22 || b.Headroom() != 2 {
		t.Fatalf("limits in %d dial %d headroom %d", b.InboundLimit(), b.DialLimit(), b.Headroom())
	}
	b, err = NewBudget(100, WithServiceShare(20))
	if err != nil {
		t.Fatal(err)
	}
	if b.Reserved.Total() != 20 || b.Relay() != 80 || b.RelayOutbound != 27 {
		t.Fatalf("share 20: %s", b)
	}
	b, err = NewBudget(20, WithServiceShare(0))
	if err != nil || b.Reserved.Total() != 0 || b.Relay() != 20 {
		t.Fatalf("share 0: %s %v", b, err)
	}
}

func TestNewBudgetRejectsWithAFix(t *testing.T) {
	cases := []struct {
		name    string
		max     int
		opts    []BudgetOption
		problem string
		fix     string
	}{
		{"too small for Dhi", 10, nil, "below gossipsub Dhi", "raise maxConns to at least 12"},
		{"zero", 0, nil, "not positive", "raise maxConns to at least 12"},
		{"reserved exceeds max", 20, []BudgetOption{WithReserved(Reserved{Filter: 20, LightPush: 5})}, "exceed MaxConnections", "raise maxConns to at least 33"},
		{"outbound above relay", 30, []BudgetOption{WithRelayOutbound(25)}, "exceed MaxConnections", "raise maxConns to at least 41"},
		{"outbound below Dout", 30, []BudgetOption{WithRelayOutbound(1)}, "below gossipsub Dout", "set RelayOutbound to at least 2"},
		{"share too big", 100, []BudgetOption{WithServiceShare(95)}, "below gossipsub Dhi", "raise maxConns to at least 141"},
	}
	for _, c := range cases {
		_, err := NewBudget(c.max, c.opts...)
		var be *BudgetError
		if !errors.As(err, &be) || !errors.Is(err, ErrInvalidBudget) {
			t.Errorf("%s: err = %v, want *BudgetError", c.name, err)
			continue
		}
		if !strings.Contains(be.Problem, c.problem) || !strings.Contains(be.Fix, c.fix) {
			t.Errorf("%s: %v\n want problem %q and fix %q", c.name, err, c.problem, c.fix)
		}
	}
}

func TestBudgetOptionsValidate(t *testing.T) {
	for name, opts := range map[string][]BudgetOption{
		"share 100":        {WithServiceShare(100)},
		"share -1":         {WithServiceShare(-1)},
		"negative reserve": {WithReserved(Reserved{Store: -1})},
		"negative out":     {WithRelayOutbound(-1)},
		"share + reserved": {WithServiceShare(30), WithReserved(Reserved{Filter: 1})},
		"reserved + share": {WithReserved(Reserved{Filter: 1}), WithServiceShare(30)},
	} {
		var oe *OptionError
		if _, err := NewBudget(100, opts...); !errors.As(err, &oe) {
			t.Errorf("%s: err = %v, want *OptionError", name, err)
		}
	}
}

func TestBudgetValidate(t *testing.T) {
	ok := Budget{MaxConnections: 19, RelayInbound: 6, RelayOutbound: 3, Reserved: Reserved{Filter: 5, LightPush: 5}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	withSpare := ok
	withSpare.MaxConnections = 24
	if err := withSpare.Validate(); err != nil || withSpare.Spare() != 5 || withSpare.DialLimit() != 14 {
		t.Fatalf("spare budget: %v spare %d dial limit %d", err, withSpare.Spare(), withSpare.DialLimit())
	}
	bad := map[string]Budget{
		"negative inbound":  {MaxConnections: 20, RelayInbound: -1, RelayOutbound: 9},
		"negative reserved": {MaxConnections: 20, RelayInbound: 6, RelayOutbound: 3, Reserved: Reserved{PeerExchange: -2}},
		"over max":          {MaxConnections: 10, RelayInbound: 6, RelayOutbound: 3, Reserved: Reserved{Filter: 2}},
		"relay below Dhi":   {MaxConnections: 20, RelayInbound: 4, RelayOutbound: 3},
		"out below Dout":    {MaxConnections: 20, RelayInbound: 8, RelayOutbound: 1},
		"zero max":          {},
		"headroom above 1":  {MaxConnections: 20, RelayInbound: 6, RelayOutbound: 3, DialHeadroom: 1.5},
		"negative headroom": {MaxConnections: 20, RelayInbound: 6, RelayOutbound: 3, DialHeadroom: -0.1},
		"NaN headroom":      {MaxConnections: 20, RelayInbound: 6, RelayOutbound: 3, DialHeadroom: math.NaN()},
	}
	for name, b := range bad {
		if err := b.Validate(); !errors.Is(err, ErrInvalidBudget) {
			t.Errorf("%s: Validate() = %v", name, err)
		}
	}
}

func TestNwakuBudget(t *testing.T) {
	// nwaku waku/node/peer_manager/peer_manager.nim:1038-1132: with max 50,
	// relay 30, service 20, out 10, in 20.
	b, err := NwakuBudget(50)
	if err != nil {
		t.Fatal(err)
	}
	if b.Relay() != 30 || b.Reserved.Total() != 20 || b.RelayOutbound != 10 || b.RelayInbound != 20 {
		t.Fatalf("NwakuBudget(50) = %s", b)
	}
	// Smallest nwaku budget: relay ceil(7.2) = 8, out 2.
	if b, err := NwakuBudget(12); err != nil || b.Relay() != 8 || b.RelayOutbound != 2 {
		t.Fatalf("NwakuBudget(12) = %s, %v", b, err)
	}
	// nwaku returns no peer manager when relay < Dhi: ceil(0.6*11) = 7.
	if _, err := NwakuBudget(11); !errors.Is(err, ErrInvalidBudget) {
		t.Fatalf("NwakuBudget(11): %v, want invalid (relay 7 < Dhi)", err)
	}
	// The integer arithmetic equals nwaku's float64 arithmetic.
	for m := 12; m <= 2000; m++ {
		b, err := NwakuBudget(m)
		if err != nil {
			t.Fatalf("NwakuBudget(%d): %v", m, err)
		}
		relay := int(math.Ceil(float64(m) * (60.0 / 100.0)))
		service := int(math.Floor(float64(m) * (40.0 / 100.0)))
		if b.Relay() != relay || b.Reserved.Total() != service || b.RelayOutbound != relay/3 {
			t.Fatalf("NwakuBudget(%d) = %s, nwaku: relay %d service %d out %d", m, b, relay, service, relay/3)
		}
	}
}

func TestGoWakuBudget(t *testing.T) {
	// go-waku waku/v2/peermanager/peer_manager.go:108-122,186-200: with max
	// 50, relay 40, out 13, in 27 (service 10).
	b, err := GoWakuBudget(50)
	if err != nil {
		t.Fatal(err)
	}
	if b.Relay() != 40 || b.RelayOutbound != 13 || b.RelayInbound != 27 || b.Reserved.Total() != 10 {
		t.Fatalf("GoWakuBudget(50) = %s", b)
	}
	// Library default 300: relay 240, out 80, in 160.
	b, _ = GoWakuBudget(300)
	if b.RelayOutbound != 80 || b.RelayInbound != 160 || b.Reserved.Total() != 60 {
		t.Fatalf("GoWakuBudget(300) = %s", b)
	}
	// Small maxima: the outbound floor of 10 eats the inbound target.
	b, err = GoWakuBudget(12)
	if err != nil || b.RelayOutbound != 10 || b.RelayInbound != 0 {
		t.Fatalf("GoWakuBudget(12) = %s, %v", b, err)
	}
	if _, err := GoWakuBudget(11); !errors.Is(err, ErrInvalidBudget) {
		t.Fatalf("GoWakuBudget(11): %v, want invalid (inbound -1)", err)
	}
}

func TestPresetsSideBySide(t *testing.T) {
	ours, _ := NewBudget(50)
	nw, _ := NwakuBudget(50)
	gw, _ := GoWakuBudget(50)
	t.Logf("ours:    %s", ours)
	t.Logf("nwaku:   %s", nw)
	t.Logf("go-waku: %s", gw)
	if ours.Reserved.Total() < gw.Reserved.Total() {
		t.Fatal("our default reserves fewer service slots than go-waku")
	}
}

// TestHeadroomOfIsExactCeiling: the relay manager and the Gater compute the
// headroom with HeadroomOf, which rounds ⌈n × fraction⌉ exactly where the
// float64 product does not (100 × 0.07 = 7.000000000000001).
func TestHeadroomOfIsExactCeiling(t *testing.T) {
	cases := []struct {
		n    int
		f    float64
		want int
	}{
		{30, 0.1, 3}, {100, 0.07, 7}, {5, 0.1, 1}, {0, 0.1, 0}, {12, 0, 0}, {12, 1, 12}, {3, 0.25, 1}, {8, 0.125, 1},
	}
	for _, c := range cases {
		if got := HeadroomOf(c.n, c.f); got != c.want {
			t.Errorf("HeadroomOf(%d, %v) = %d, want %d", c.n, c.f, got, c.want)
		}
	}
	n, f := 100, 0.07
	if math.Ceil(float64(n)*f) == 7 {
		t.Fatal("test premise: the float64 ceiling of 100 × 0.07 should be 8")
	}
	for n := range 2000 {
		if got, want := HeadroomOf(n, 0.1), (n+9)/10; got != want {
			t.Fatalf("HeadroomOf(%d, 0.1) = %d, want %d", n, got, want)
		}
	}
}
