package conformance

import (
	"fmt"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/peermanager/selection"
)

// BuiltinProfiles are the profiles the in-process driver offers, in the
// matrix's column order. wakupm is the recommendation with wakupm's
// values; rfc is the same policy with other values the RFC allows, so
// that a line passing under wakupm and failing under rfc checks a value,
// not a statement; nwaku, nwaku-sharded, go-waku and js-waku are the
// presets that reproduce those implementations' policies.
var BuiltinProfiles = []string{"wakupm", "rfc", "nwaku", "nwaku-sharded", "go-waku", "js-waku"}

// BuiltinVocabularies are the vocabularies the in-process driver serves.
var BuiltinVocabularies = []string{"relay", "selector", "health", "slots", "wire"}

// profileAliases maps the scenario files' older preset names.
var profileAliases = map[string]string{"gowaku": "go-waku", "jswaku": "js-waku"}

// canonicalProfile returns the profile name for a name in a scenario file.
func canonicalProfile(p string) string {
	if c, ok := profileAliases[p]; ok {
		return c
	}
	return p
}

// NewBuiltinDriver returns a fresh in-process driver for a vocabulary and
// profile, or an error wrapping ErrUnsupported when there is no such
// preset (js-waku has no relay manager; only wakupm's cores have the
// health and slots vocabularies).
func NewBuiltinDriver(vocabulary, profile string) (Driver, error) {
	unsupported := fmt.Errorf("profile %s has no %s preset: %w", profile, vocabulary, ErrUnsupported)
	switch vocabulary {
	case "relay":
		cfg, ok := relayProfile(profile)
		if !ok {
			return nil, unsupported
		}
		return &relayDriver{cfg: cfg}, nil
	case "selector":
		cfg, ok := selectorProfile(profile)
		if !ok {
			return nil, unsupported
		}
		return &selectorDriver{cfg: cfg, times: map[peerid.ID]int{}}, nil
	case "health":
		if profile != "wakupm" && profile != "rfc" {
			return nil, unsupported
		}
		return newHealthDriver(), nil
	case "slots":
		if profile != "wakupm" && profile != "rfc" {
			return nil, unsupported
		}
		return newSlotsDriver(profile), nil
	case "wire":
		// The presets reproduce policies, not codecs: only wakupm's
		// decoders answer wire vectors (a real implementation's driver
		// answers for its own).
		if profile != "wakupm" && profile != "rfc" {
			return nil, unsupported
		}
		return nil, nil
	}
	return nil, fmt.Errorf("vocabulary %q: %w", vocabulary, ErrUnsupported)
}

// BuiltinServer serves the built-in profiles over the protocol.
func BuiltinServer() *Server {
	return &Server{
		Implementation: "wakupm",
		Version:        "dev",
		Vocabularies:   BuiltinVocabularies,
		Profiles:       BuiltinProfiles,
		NewDriver:      NewBuiltinDriver,
		Wire:           BuiltinWire,
	}
}

func relayProfile(profile string) (relay.Config, bool) {
	names := map[string]string{"wakupm": "wakupm", "nwaku": "nwaku", "nwaku-sharded": "nwaku-sharded", "go-waku": "gowaku"}
	if profile == "rfc" {
		return rfcRelayConfig(), true
	}
	mk, ok := relay.Presets()[names[profile]]
	if !ok {
		return relay.Config{}, false
	}
	return mk(), true
}

// rfcRelayConfig is wakupm's policy with values the RFC leaves open
// changed: another seed, a longer first backoff and cap (RELAY-18 fixes
// the shape, not the numbers), more candidates and dials in flight,
// forgetting after more failures (RELAY-21 MAY). Values the RFC states
// with a SHOULD (floors, 1 min cooldown, discovery batch of 8) stay.
func rfcRelayConfig() relay.Config {
	cfg := relay.WakupmPreset()
	cfg.Seed = 99
	cfg.Backoff.Initial = 15 * time.Second
	cfg.Backoff.Max = 15 * time.Minute
	cfg.Backoff.ForgetAfter = 10
	cfg.CandidateSample = 24
	cfg.MaxDialsInFlight = 12
	return cfg
}

func selectorProfile(profile string) (selection.Config, bool) {
	names := map[string]string{"wakupm": "wakupm", "go-waku": "gowaku", "js-waku": "jswaku"}
	if profile == "rfc" {
		return rfcSelectorConfig(), true
	}
	mk, ok := selection.Presets()[names[profile]]
	if !ok {
		return selection.Config{}, false
	}
	return mk(), true
}

// rfcSelectorConfig is wakupm's selector with another seed: the bench
// times and pool sizes are the RFC's own values.
func rfcSelectorConfig() selection.Config {
	cfg := selection.WakupmPreset()
	cfg.Seed = 99
	return cfg
}

// BuiltinColumns starts the built-in driver in-process (through the
// protocol, over pipes) and returns one column per built-in profile. The
// caller closes the Remote.
func BuiltinColumns() ([]Column, *Remote, error) {
	r, err := ServeRemote(BuiltinServer())
	if err != nil {
		return nil, nil, err
	}
	cols := make([]Column, 0, len(BuiltinProfiles))
	for _, p := range BuiltinProfiles {
		cols = append(cols, Column{Name: p, Remote: r, Profile: p})
	}
	return cols, r, nil
}
