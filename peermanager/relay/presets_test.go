package relay

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

func TestPresetsValidate(t *testing.T) {
	for name, mk := range Presets() {
		cfg := mk()
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if cfg.Name != name {
			t.Errorf("preset %s is named %q", name, cfg.Name)
		}
	}
}

func TestConfigValidateNamesTheField(t *testing.T) {
	for name, mutate := range map[string]func(*Config){
		"dials":     func(c *Config) { c.MaxDialsInFlight = 0 },
		"quota":     func(c *Config) { c.OutboundQuota = c.OutboundTarget + 1 },
		"outfloor":  func(c *Config) { c.ShardOutboundFloor = c.ShardFloor + 1 },
		"headroom":  func(c *Config) { c.DialHeadroom = 2 },
		"tick":      func(c *Config) { c.TickInterval = 0 },
		"backoff":   func(c *Config) { c.Backoff.Max = time.Second },
		"jitter":    func(c *Config) { c.Backoff.JitterFraction = 0 },
		"discovery": func(c *Config) { c.DiscoveryBatch = 0 },
		"dial":      func(c *Config) { c.Dial = 0 },
		"joins":     func(c *Config) { c.GossipsubJoinsAddShards = true },
		"metadata":  func(c *Config) { c.MetadataFailure = DisconnectWithCluster + 1 },
		"order":     func(c *Config) { c.InboundPruneOrder = ArbitraryOrder + 1 },
	} {
		cfg := DefaultConfig()
		mutate(&cfg)
		if err := cfg.Validate(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
}

// The presets' backoff schedules, as their sources state them.
func TestBackoffSchedules(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	nwaku := NwakuPreset().Backoff
	for n, want := range []time.Duration{120 * time.Second, 480 * time.Second, 1920 * time.Second, 7680 * time.Second} {
		if got := nwaku.Delay(n+1, rng); got != want {
			t.Errorf("nwaku failure %d: %v, want %v (120 s × 4^(n-1), pm.nim)", n+1, got, want)
		}
	}
	gowaku := GoWakuPreset().Backoff
	for n := 1; n <= 12; n++ {
		upper := min(time.Duration(pow(5, n-1))*time.Second, time.Hour)
		for range 50 {
			got := gowaku.Delay(n, rng)
			if got < time.Minute || got > max(upper, time.Minute) {
				t.Fatalf("go-waku failure %d: %v outside [1 min, %v]", n, got, upper)
			}
		}
	}
	ours := WakupmPreset().Backoff
	for n := 1; n <= 10; n++ {
		base := min(10*time.Second<<(n-1), 10*time.Minute)
		got := ours.Delay(n, rng)
		if got > base || got < base*3/4 {
			t.Errorf("wakupm failure %d: %v outside [%v, %v]", n, got, base*3/4, base)
		}
	}
}

func pow(b, e int) int {
	r := 1
	for range e {
		r *= b
	}
	return r
}
