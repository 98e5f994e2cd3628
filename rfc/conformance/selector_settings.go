package conformance

// The selector driver's settings: set lines and per-protocol policies.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wakupm/wakupm/peermanager/selection"
)

func (d *selectorDriver) Configure(c Command) error {
	if len(c.Args) > 0 {
		return fmt.Errorf("set takes key=value options only, got %q", c.Args[0])
	}
	for k, v := range c.Opts {
		if err := d.set(k, v); err != nil {
			return fmt.Errorf("set %s=%s: %w", k, v, err)
		}
	}
	return nil
}

func (d *selectorDriver) set(k, v string) error {
	cfg := &d.cfg
	if proto, field, ok := strings.Cut(k, "."); ok {
		id, err := parseProtocol(proto)
		if err != nil {
			return err
		}
		return setProtocolPolicy(d.protocolPolicy(id), field, v)
	}
	bools := map[string]*bool{"connected-only": &cfg.ConnectedOnly, "unmeasured-first": &cfg.UnmeasuredRTTFirst}
	ints := map[string]*int{"health-filter": &cfg.HealthFilterPeers, "health-lightpush": &cfg.HealthLightPushPeers}
	if p, ok := bools[k]; ok {
		b, err := strconv.ParseBool(v)
		*p = b
		return err
	}
	if p, ok := ints[k]; ok {
		n, err := strconv.Atoi(v)
		*p = n
		return err
	}
	switch k {
	case "shards":
		list, err := ParseIntList(v)
		cfg.Shards = nil
		for _, s := range list {
			cfg.Shards = append(cfg.Shards, uint16(s))
		}
		return err
	case "disconnect-grace":
		d, err := time.ParseDuration(v)
		cfg.DisconnectGrace = d
		return err
	case "seed":
		n, err := strconv.ParseUint(v, 10, 64)
		cfg.Seed = n
		return err
	case "cluster", "autosharding":
		n, err := strconv.ParseUint(v, 10, 16)
		if k == "cluster" {
			cfg.Cluster = uint16(n)
		} else {
			cfg.AutoshardingShards = uint16(n)
		}
		return err
	case "unknown-shards":
		modes := map[string]selection.UnknownShards{"last-resort": selection.UnknownShardsLastResort,
			"never": selection.UnknownShardsNever, "alongside": selection.UnknownShardsAlongside}
		m, ok := modes[v]
		if !ok {
			return errors.New("unknown-shards is last-resort, never or alongside")
		}
		cfg.UnknownShards = m
		return nil
	}
	return fmt.Errorf("unknown setting: %w", ErrUnsupported)
}

// protocolPolicy returns the policy of id in the configuration, adding a
// copy of the fallback for a protocol not listed.
func (d *selectorDriver) protocolPolicy(id string) *selection.ProtocolConfig {
	for i := range d.cfg.Protocols {
		if d.cfg.Protocols[i].Protocol == id {
			return &d.cfg.Protocols[i]
		}
	}
	pp := d.cfg.Fallback
	pp.Protocol = id
	d.cfg.Protocols = append(d.cfg.Protocols, pp)
	return &d.cfg.Protocols[len(d.cfg.Protocols)-1]
}

func setProtocolPolicy(pp *selection.ProtocolConfig, field, v string) error {
	switch field {
	case "pool", "max-failures":
		n, err := strconv.Atoi(v)
		if field == "pool" {
			pp.PoolSize = n
		} else {
			pp.Replace.MaxFailures = n
		}
		return err
	case "sticky":
		b, err := strconv.ParseBool(v)
		pp.Sticky = b
		return err
	case "policy":
		p, ok := selection.ParsePolicy(v)
		if !ok {
			return fmt.Errorf("unknown policy %q", v)
		}
		pp.Policy = p
		return nil
	case "cooldown", "rate-limit-cooldown":
		dur, err := parseDur(v)
		if field == "cooldown" {
			pp.Replace.BenchFor = dur
		} else {
			pp.Replace.RateLimitBenchFor = dur
		}
		return err
	case "counted", "immediate":
		set, err := parseOutcomes(v)
		if field == "counted" {
			pp.Replace.Counted = set
		} else {
			pp.Replace.Immediate = set
		}
		return err
	case "pinned":
		pp.Pinned = parsePeers(v)
		return nil
	}
	return fmt.Errorf("protocol setting %q: %w", field, ErrUnsupported)
}
