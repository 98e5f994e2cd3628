package selection

import (
	"fmt"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/shardmesh"
)

// Runtime pins. status-go lets the user pin a store node in its settings
// and change it at any time, and a community names its own store nodes
// for its shard (go-waku waku/v2/api/history/cycle.go
// StorenodeConfigProvider.GetPinnedStorenode; status-go
// protocol/storenodes, protocol/messenger_community_storenodes.go). Pinned
// peers come first in every selection of the protocol, whatever the
// policy; a change takes effect on the next selection: the affected pools
// are emptied (without benching anyone) and refilled, pinned first.

// Pin sets the pinned peers of protocol proto on every shard (nil or empty
// unpins), replacing Config's Pinned, at now.
func (c *Core) Pin(proto string, ids []peerid.ID, now time.Time) error {
	ref, ok := c.book.Protocol(proto)
	if !ok {
		return &Error{Protocol: proto, Reason: ErrUntrackedProtocol}
	}
	if err := validPins(ids); err != nil {
		return err
	}
	c.protos[ref].cfg.Pinned = append([]peerid.ID(nil), ids...)
	for _, pl := range c.poolList {
		if pl.key.ref == ref {
			c.repin(pl, now)
		}
	}
	return nil
}

// PinFor sets the pinned peers of protocol proto on one shard (a
// community's store nodes), overriding the protocol's pins there; nil or
// empty removes the override.
func (c *Core) PinFor(proto string, shard shardmesh.Shard, ids []peerid.ID, now time.Time) error {
	ref, ok := c.book.Protocol(proto)
	if !ok {
		return &Error{Protocol: proto, Shard: shard, Reason: ErrUntrackedProtocol}
	}
	if shard.Cluster != c.cfg.Cluster || shard.Index > shardmesh.MaxShardIndex {
		return fmt.Errorf("%w: shard %d/%d is not in our cluster %d", ErrInvalidRequest, shard.Cluster, shard.Index, c.cfg.Cluster)
	}
	if err := validPins(ids); err != nil {
		return err
	}
	k := poolKey{ref, shard.Index}
	if len(ids) == 0 {
		delete(c.shardPins, k)
	} else {
		c.shardPins[k] = append([]peerid.ID(nil), ids...)
	}
	if pl := c.pools[k]; pl != nil {
		c.repin(pl, now)
	}
	return nil
}

// Pinned returns the peers pinned for proto on shard (the shard's own
// pins, else the protocol's).
func (c *Core) Pinned(proto string, shard shardmesh.Shard) []peerid.ID {
	ref, ok := c.book.Protocol(proto)
	if !ok {
		return nil
	}
	return append([]peerid.ID(nil), c.pinnedFor(ref, shard.Index)...)
}

func validPins(ids []peerid.ID) error {
	seen := make(map[peerid.ID]bool, len(ids))
	for _, id := range ids {
		if id == "" || seen[id] {
			return fmt.Errorf("%w: pinned peer %q empty or repeated", ErrInvalidRequest, id)
		}
		seen[id] = true
	}
	return nil
}

// pinnedFor returns the pins of (ref, shard): the shard's, else the
// protocol's.
func (c *Core) pinnedFor(ref book.ProtocolRef, shard uint16) []peerid.ID {
	if len(c.shardPins) > 0 { // no hashing on the hot path when no shard is pinned
		if ids, ok := c.shardPins[poolKey{ref, shard}]; ok {
			return ids
		}
	}
	return c.protos[ref].cfg.Pinned
}

// repin empties pl and refills it, pinned first. The members leave
// without benching (NotifyPeerReleased, paired with their replacements).
func (c *Core) repin(pl *pool, now time.Time) {
	for len(pl.members) > 0 {
		i := len(pl.members) - 1
		pl.departed = append(pl.departed, departure{id: pl.members[i].id, kind: NotifyPeerReleased})
		c.stats.released[pl.key.ref]++
		c.removeMember(pl, i)
	}
	// The same peers may come back: pair only real changes.
	c.maintain(pl, "", now)
}
