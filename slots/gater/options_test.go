package gater_test

import (
	"errors"
	"testing"

	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

func TestNewRejectsInvalidOptions(t *testing.T) {
	budget, err := slots.NewBudget(50)
	if err != nil {
		t.Fatal(err)
	}
	for option, o := range map[string]gater.Option{
		"WithGrace":          gater.WithGrace(0),
		"WithSweepInterval":  gater.WithSweepInterval(-1),
		"WithColocation":     gater.WithColocation(-1, 32, 128),
		"WithRelayProtocols": gater.WithRelayProtocols(),
		"WithPoolOptions":    gater.WithPoolOptions(slots.Service(9)),
		"WithLogger":         gater.WithLogger(nil),
		"WithIPv6SiteLimit":  gater.WithIPv6SiteLimit(-1, 48),
	} {
		var oe *gater.OptionError
		if _, err := gater.New(budget, o); !errors.As(err, &oe) || oe.Option != option {
			t.Errorf("%s: err = %v, want *gater.OptionError for it", option, err)
		}
	}
	for name, bits := range map[string][2]int{"ipv4 /0": {0, 64}, "ipv4 /33": {33, 64}, "ipv6 /129": {32, 129}} {
		var oe *gater.OptionError
		if _, err := gater.New(budget, gater.WithColocation(5, bits[0], bits[1])); !errors.As(err, &oe) {
			t.Errorf("%s: err = %v, want *gater.OptionError", name, err)
		}
	}
	for name, opts := range map[string][]gater.Option{
		"site /0":                  {gater.WithIPv6SiteLimit(10, 0)},
		"site /129":                {gater.WithIPv6SiteLimit(10, 129)},
		"site narrower than /64":   {gater.WithIPv6SiteLimit(10, 96)},
		"site narrower than given": {gater.WithColocation(5, 32, 40), gater.WithIPv6SiteLimit(10, 48)},
	} {
		var oe *gater.OptionError
		if _, err := gater.New(budget, opts...); !errors.As(err, &oe) || oe.Option != "WithIPv6SiteLimit" {
			t.Errorf("%s: err = %v, want *gater.OptionError for WithIPv6SiteLimit", name, err)
		}
	}
	// No per-prefix cap: no prefix for a site to hold; no site cap either
	// unless given.
	if _, err := gater.New(budget, gater.WithColocation(0, 32, 128)); err != nil {
		t.Errorf("colocation disabled: %v", err)
	}
	// A colocation prefix wider than a site: the default site cap is moot.
	if _, err := gater.New(budget, gater.WithColocation(5, 32, 40)); err != nil {
		t.Errorf("colocation per /40: %v", err)
	}
	var be *slots.BudgetError
	if _, err := gater.New(slots.Budget{MaxConnections: 1}); !errors.As(err, &be) {
		t.Errorf("invalid budget: err = %v, want *slots.BudgetError", err)
	}
}
