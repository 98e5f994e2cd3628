package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/wakupm/wakupm/examples/qanode/restbody"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// previousKey is a protected shard's key that -protected-shard-previous
// keeps accepted next to the current one, for a while after the start: a
// relay restarted with a rotated key need not refuse the publishers that
// have not switched yet.
type previousKey struct {
	key  protected.PublicKey
	keep time.Duration
}

// definePreviousKeyFlag defines -protected-shard-previous.
func definePreviousKeyFlag(fs *flag.FlagSet, c *config) {
	fs.Var(&multiFlag{parse: func(s string) error {
		shard, rest, err := splitShardKey(s)
		if err != nil {
			return errors.New("want <shard>:<hex public key>:<duration>")
		}
		key, dur, ok := strings.Cut(rest, ":")
		if !ok {
			return errors.New("want <shard>:<hex public key>:<duration> (how long the key stays accepted, e.g. 10m)")
		}
		pub, err := protected.ParsePublicKey(key)
		if err != nil {
			return err
		}
		keep, err := time.ParseDuration(dur)
		if err != nil || keep <= 0 || keep > restbody.MaxKeepPrevious {
			return fmt.Errorf("duration %q: want a Go duration above 0 and up to %v, e.g. 10m", dur, restbody.MaxKeepPrevious)
		}
		if c.previous == nil {
			c.previous = map[uint16]previousKey{}
		}
		c.previous[shard] = previousKey{key: pub, keep: keep}
		return nil
	}}, "protected-shard-previous", "<shard>:<hex public key>:<duration>, repeatable: after a key rotation, the shard's old key, still accepted for that long after the start next to the -protected-shard or -shard-signing-key one")
}

// checkPreviousKeys refuses a previous key for a shard without a current
// key, or equal to it.
func (c *config) checkPreviousKeys() error {
	for shard, prev := range c.previous {
		current, ok := c.protect[shard]
		if priv, signs := c.signKeys[shard]; !ok && signs {
			current, ok = priv.Public(), true
		}
		switch {
		case !ok:
			return fmt.Errorf("-protected-shard-previous %d: the shard has no -protected-shard or -shard-signing-key key", shard)
		case current == prev.key:
			return fmt.Errorf("-protected-shard-previous %d: the previous key is the current one", shard)
		}
	}
	return nil
}
