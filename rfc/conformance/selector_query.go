package conformance

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/shardmesh"
)

func (d *selectorDriver) Query(now time.Time, c Command) (string, error) {
	if err := d.ensure(); err != nil {
		return "", err
	}
	switch c.Name {
	case "selected", "selected-count", "selected-at", "dialable-picks", "selected-connected", "error", "retry-in":
		return d.selectionQuery(now, c)
	case "pool", "pool-size", "pool-live", "pool-same", "in-pool":
		return d.poolQuery(c)
	case "health":
		s, err := c.Arg(0)
		if err != nil {
			return "", err
		}
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return "", err
		}
		return d.sel.Health(shardmesh.Shard{Cluster: d.cfg.Cluster, Index: uint16(n)}).String(), nil
	case "failures", "cooldown":
		return d.benchQuery(now, c)
	case "times-selected", "kept", "state":
		return d.peerQuery(c)
	}
	return "", fmt.Errorf("selector query %q: %w", c.Name, ErrUnsupported)
}

// selectionQuery answers about the last selection and its error.
func (d *selectorDriver) selectionQuery(now time.Time, c Command) (string, error) {
	switch c.Name {
	case "selected":
		return joinPeers(d.last, ","), nil
	case "selected-count":
		return strconv.Itoa(len(d.last)), nil
	case "selected-at":
		v, err := c.Arg(0)
		if err != nil {
			return "", err
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(d.last) {
			return "none", nil
		}
		return string(d.last[i]), nil
	case "dialable-picks":
		return strconv.Itoa(d.dialable), nil
	case "selected-connected":
		n := 0
		for _, p := range d.last {
			if rec := d.book.Get(p); rec != nil && rec.Connectedness() == book.Connected {
				n++
			}
		}
		return strconv.Itoa(n), nil
	case "error":
		return errorName(d.lastErr), nil
	}
	var se *selection.Error // retry-in
	if !errors.As(d.lastErr, &se) || se.RetryAt.IsZero() {
		return "0s", nil
	}
	return se.RetryAt.Sub(now).String(), nil
}

// poolQuery answers about the pool of "PROTO SHARD".
func (d *selectorDriver) poolQuery(c Command) (string, error) {
	id, shard, err := d.protoShard(c, 0)
	if err != nil {
		return "", err
	}
	members := d.sel.Pool(id, shard)
	switch c.Name {
	case "pool-same":
		was, ok := d.memory[c.Args[0]+" "+c.Args[1]]
		if !ok {
			return "", fmt.Errorf("no remembered pool %s %s", c.Args[0], c.Args[1])
		}
		now := d.poolIDs(id, shard)
		slices.Sort(was)
		slices.Sort(now)
		return strconv.FormatBool(slices.Equal(was, now)), nil
	case "in-pool":
		p, err := c.Arg(2)
		if err != nil {
			return "", err
		}
		return strconv.FormatBool(slices.ContainsFunc(members, func(m selection.PoolMember) bool { return m.ID == peerid.ID(p) })), nil
	case "pool-size":
		return strconv.Itoa(len(members)), nil
	case "pool-live":
		live := 0
		for _, m := range members {
			if m.Live {
				live++
			}
		}
		return strconv.Itoa(live), nil
	}
	return joinPeers(d.poolIDs(id, shard), ","), nil
}

// benchQuery answers "failures P PROTO" and "cooldown P PROTO" (the time
// left on P's bench for PROTO).
func (d *selectorDriver) benchQuery(now time.Time, c Command) (string, error) {
	name, err := c.Arg(0)
	if err != nil {
		return "", err
	}
	protoName, err := c.Arg(1)
	if err != nil {
		return "", err
	}
	id, err := parseProtocol(protoName)
	if err != nil {
		return "", err
	}
	if c.Name == "failures" {
		return strconv.Itoa(d.sel.Failures(peerid.ID(name), id)), nil
	}
	until, ok := d.sel.BenchedUntil(peerid.ID(name), id, now)
	if !ok {
		return "0s", nil
	}
	return until.Sub(now).String(), nil
}

// peerQuery answers about one peer: how often it was selected, and its
// book record.
func (d *selectorDriver) peerQuery(c Command) (string, error) {
	name, err := c.Arg(0)
	if err != nil {
		return "", err
	}
	p := peerid.ID(name)
	if c.Name == "times-selected" {
		return strconv.Itoa(d.times[p]), nil
	}
	rec := d.book.Get(p)
	if rec == nil {
		return "", fmt.Errorf("peer %s is not in the book", name)
	}
	if c.Name == "kept" {
		return strconv.FormatBool(rec.Kept()), nil
	}
	return rec.Connectedness().String(), nil
}

func (d *selectorDriver) poolIDs(id string, shard shardmesh.Shard) []peerid.ID {
	var ids []peerid.ID
	for _, m := range d.sel.Pool(id, shard) {
		ids = append(ids, m.ID)
	}
	return ids
}

// errorName names the reason of a selection error as scenarios write it.
func errorName(err error) string {
	if err == nil {
		return "none"
	}
	reasons := []struct {
		err  error
		name string
	}{
		{selection.ErrInvalidRequest, "invalid-request"},
		{selection.ErrUntrackedProtocol, "untracked-protocol"},
		{selection.ErrNoPeerSupportsProtocol, "no-peer-supports-protocol"},
		{selection.ErrNoPeerOnShard, "no-peer-on-shard"},
		{selection.ErrNoConnectedPeer, "no-connected-peer"},
		{selection.ErrAllExcluded, "all-excluded"},
		{selection.ErrAllInBackoff, "all-in-backoff"},
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "other: " + err.Error()
}

func formatNotification(e selection.Notification) string {
	proto, shard := protocolName(e.Protocol), strconv.Itoa(int(e.Shard.Index))
	switch e.Kind {
	case selection.NotifyPeerReplaced, selection.NotifyPeerReleased:
		s := "released " + proto + " " + shard + " " + string(e.Peer)
		if e.Kind == selection.NotifyPeerReplaced {
			s = "replaced " + proto + " " + shard + " " + string(e.Peer) + " " + e.Outcome.String()
		}
		if e.Replacement != "" {
			s += " by " + string(e.Replacement)
		}
		return s
	case selection.NotifyPoolDegraded:
		return fmt.Sprintf("degraded %s %s %d/%d", proto, shard, e.Live, e.Target)
	case selection.NotifyPoolRestored:
		return fmt.Sprintf("restored %s %s", proto, shard)
	case selection.NotifyHealthChanged:
		return "health " + shard + " " + e.Health.String()
	case selection.NotifyStoreNodeChanged:
		return fmt.Sprintf("store-node %s %s -> %s", shard, orNone(e.Peer), orNone(e.Replacement))
	case selection.NotifyStoreNodeNotWorking:
		return fmt.Sprintf("store-node-not-working %s %s %s", shard, string(e.Peer), e.Outcome)
	case selection.NotifyStoreNodeAvailable:
		return fmt.Sprintf("store-node-available %s %s", shard, string(e.Peer))
	}
	return e.Kind.String()
}

func orNone(id peerid.ID) string {
	if id == "" {
		return "none"
	}
	return string(id)
}

func parseProtocol(name string) (string, error) {
	if name == "" {
		return "", errors.New("empty protocol")
	}
	if id, ok := protocolNames[name]; ok {
		return id, nil
	}
	return name, nil
}

func protocolName(id string) string {
	for name, x := range protocolNames {
		if x == id {
			return name
		}
	}
	return id
}

func parseOutcomes(s string) (selection.OutcomeSet, error) {
	var set selection.OutcomeSet
	for _, name := range strings.Split(s, ",") {
		if name == "" || name == "none" {
			continue
		}
		o, ok := selection.ParseOutcome(name)
		if !ok {
			return 0, fmt.Errorf("unknown outcome %q", name)
		}
		set |= selection.OutcomesOf(o)
	}
	return set, nil
}

func parsePeers(s string) []peerid.ID {
	var out []peerid.ID
	for _, name := range strings.Split(s, ",") {
		if name != "" && name != "none" {
			out = append(out, peerid.ID(name))
		}
	}
	return out
}

func joinPeers(ids []peerid.ID, sep string) string {
	if len(ids) == 0 {
		return "none"
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, sep)
}
