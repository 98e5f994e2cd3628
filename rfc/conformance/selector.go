package conformance

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/shardmesh"
)

// selectorDriver builds the book and selector lazily so that "set" lines
// can change the configuration first.
type selectorDriver struct {
	cfg  selection.Config
	book *book.Book
	sel  *selection.Core

	last     []peerid.ID       // the last selection
	lastErr  error             // and its error
	times    map[peerid.ID]int // how often each peer was selected
	dialable int               // selected peers that were not connected
	memory   map[string][]peerid.ID
}

var _ Driver = (*selectorDriver)(nil)

func (d *selectorDriver) ensure() error {
	if d.sel != nil {
		return nil
	}
	b, err := book.New(d.cfg.Cluster, book.WithTrackedProtocols(selection.TrackedProtocols(d.cfg)...))
	if err != nil {
		return err
	}
	sel, err := selection.NewCore(b, d.cfg)
	if err != nil {
		return err
	}
	d.book, d.sel = b, sel
	return nil
}

func (d *selectorDriver) Exec(now time.Time, c Command) ([]string, error) {
	if err := d.ensure(); err != nil {
		return nil, err
	}
	out, err := d.exec(now, c)
	if err != nil {
		return nil, fmt.Errorf("line %d: %w", c.Line, err)
	}
	for _, e := range d.sel.Notifications() {
		out = append(out, "notice "+formatNotification(e))
	}
	return out, nil
}

// selectorEvents are the event names of the selector vocabulary.
var selectorEvents = []string{"tick", "select", "release", "remember", "report", "ping-failed", "discovered",
	"connected", "disconnected", "removed", "identified", "metadata", "dial-failed", "rtt",
	"declare", "pin", "unpin", "offline", "online", "expect-disconnect"}

func (d *selectorDriver) exec(now time.Time, c Command) ([]string, error) {
	if !slices.Contains(selectorEvents, c.Name) {
		return nil, fmt.Errorf("selector event %q: %w", c.Name, ErrUnsupported)
	}
	switch c.Name {
	case "tick":
		d.sel.Tick(now)
		return nil, nil
	case "declare":
		v, err := c.Arg(0)
		if err != nil {
			return nil, err
		}
		idx, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return nil, err
		}
		return nil, d.sel.DeclareShard(shardmesh.Shard{Cluster: d.cfg.Cluster, Index: uint16(idx)}, now)
	case "pin", "unpin":
		return nil, d.pin(now, c)
	case "offline", "online":
		d.sel.SetOnline(c.Name == "online", now)
		return nil, nil
	case "select":
		return d.selectPeers(now, c)
	case "release", "remember":
		id, shard, err := d.protoShard(c, 0)
		if err != nil {
			return nil, err
		}
		if c.Name == "release" {
			d.sel.Release(id, shard)
			return nil, nil
		}
		if d.memory == nil {
			d.memory = map[string][]peerid.ID{}
		}
		d.memory[c.Args[0]+" "+c.Args[1]] = d.poolIDs(id, shard)
		return nil, nil
	}
	name, err := c.Arg(0)
	if err != nil {
		return nil, err
	}
	p := peerid.ID(name)
	switch c.Name {
	case "report":
		return nil, d.report(now, p, c)
	case "ping-failed":
		d.sel.ReportPeer(p, selection.OutcomePingFailed, now)
		return nil, nil
	case "expect-disconnect":
		d.sel.ExpectDisconnect(p, now)
		return nil, nil
	}
	if err := d.bookEvent(now, p, c); err != nil {
		return nil, err
	}
	d.sel.PeerUpdated(p, now)
	return nil, nil
}

// bookEvent records in the book what an event line says about peer p; the
// caller then tells the selector (PeerUpdated), as a shell does.
func (d *selectorDriver) bookEvent(now time.Time, p peerid.ID, c Command) error {
	switch c.Name {
	case "discovered":
		dp, err := d.discovered(p, c)
		if err != nil {
			return err
		}
		if _, err := d.book.Discover(dp, now); err != nil {
			return err
		}
	case "connected":
		dir := book.Outbound
		if v, _ := c.Arg(1); v == "in" {
			dir = book.Inbound
		}
		ip, err := parseIP(c.Opt("ip", ""))
		if err != nil {
			return err
		}
		d.book.Connected(p, dir, ip, now)
	case "disconnected":
		d.book.Disconnected(p, now)
	case "removed":
		d.book.Remove(p)
	case "identified":
		list, _ := c.Arg(1)
		protos, err := parseProtocols(list)
		if err != nil {
			return err
		}
		d.book.Identified(p, protos, now)
	case "metadata":
		cluster, err := strconv.ParseUint(c.Opt("cluster", strconv.Itoa(int(d.cfg.Cluster))), 10, 16)
		if err != nil {
			return err
		}
		set, err := parseShards(c.Opt("shards", ""))
		if err != nil {
			return err
		}
		d.book.MetadataReceived(p, uint16(cluster), set, now)
	case "dial-failed":
		backoff, err := parseDur(c.Opt("backoff", "1m"))
		if err != nil {
			return err
		}
		d.book.DialFailed(p, now.Add(backoff), now)
	case "rtt":
		v, err := c.Arg(1)
		if err != nil {
			return err
		}
		rtt, err := parseDur(v)
		if err != nil {
			return err
		}
		d.book.ObserveRTT(p, rtt, now)
	default:
		return fmt.Errorf("selector event %q: %w", c.Name, ErrUnsupported)
	}
	return nil
}

// discovered builds a DiscoveredPeer; shards without caps mean a service
// node (filter, light push, store).
func (d *selectorDriver) discovered(id peerid.ID, c Command) (book.DiscoveredPeer, error) {
	return parseDiscovered(peerid.ID(id), c, d.cfg.Cluster, shardmesh.CapFilter|shardmesh.CapLightPush|shardmesh.CapStore)
}

// selectPeers runs "select PROTO SHARD|topic=T|content=CT [n=N]
// [policy=P] [exclude=a,b] [nopool=true]" and answers "selected a b" (or
// "selected none").
func (d *selectorDriver) selectPeers(now time.Time, c Command) ([]string, error) {
	protoName, err := c.Arg(0)
	if err != nil {
		return nil, err
	}
	id, err := parseProtocol(protoName)
	if err != nil {
		return nil, err
	}
	req := selection.Request{Protocol: id, PubsubTopic: c.Opt("topic", ""), ContentTopic: c.Opt("content", ""),
		Exclude: parsePeers(c.Opt("exclude", ""))}
	if req.PubsubTopic == "" && req.ContentTopic == "" {
		_, shard, err := d.protoShard(c, 0)
		if err != nil {
			return nil, err
		}
		req.Shard = shard
	}
	if req.Count, err = strconv.Atoi(c.Opt("n", "0")); err != nil {
		return nil, err
	}
	if v, ok := c.Opts["policy"]; ok {
		p, ok := selection.ParsePolicy(v)
		if !ok {
			return nil, fmt.Errorf("unknown policy %q", v)
		}
		req.Policy = p
	}
	if req.NoPool, err = strconv.ParseBool(c.Opt("nopool", "false")); err != nil {
		return nil, err
	}
	repeat, err := strconv.Atoi(c.Opt("repeat", "1"))
	if err != nil || repeat < 1 {
		return nil, fmt.Errorf("repeat=%q: want a count >= 1", c.Opt("repeat", ""))
	}
	for range repeat {
		d.last, d.lastErr = d.sel.Select(req, now)
		for _, p := range d.last {
			d.times[p]++
			if rec := d.book.Get(p); rec == nil || rec.Connectedness() != book.Connected {
				d.dialable++
			}
		}
	}
	if len(d.last) == 0 {
		return []string{"selected none"}, nil
	}
	return []string{"selected " + joinPeers(d.last, " ")}, nil
}

func (d *selectorDriver) report(now time.Time, p peerid.ID, c Command) error {
	protoName, err := c.Arg(1)
	if err != nil {
		return err
	}
	id, err := parseProtocol(protoName)
	if err != nil {
		return err
	}
	var o selection.Outcome
	if v, ok := c.Opts["v2-info"]; ok {
		o = selection.OutcomeOfLightPushV2(v == "OK", v)
	} else if v, ok := c.Opts["status"]; ok {
		code, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return err
		}
		o = selection.OutcomeOfStatus(uint32(code))
	} else {
		name, err := c.Arg(2)
		if err != nil {
			return err
		}
		var ok bool
		if o, ok = selection.ParseOutcome(name); !ok {
			return fmt.Errorf("unknown outcome %q", name)
		}
	}
	return d.sel.Report(p, id, o, now)
}

// protoShard reads "PROTO SHARD" from argument i.
func (d *selectorDriver) protoShard(c Command, i int) (string, shardmesh.Shard, error) {
	name, err := c.Arg(i)
	if err != nil {
		return "", shardmesh.Shard{}, err
	}
	id, err := parseProtocol(name)
	if err != nil {
		return "", shardmesh.Shard{}, err
	}
	s, err := c.Arg(i + 1)
	if err != nil {
		return "", shardmesh.Shard{}, err
	}
	n, err := strconv.ParseUint(s, 10, 16)
	return id, shardmesh.Shard{Cluster: d.cfg.Cluster, Index: uint16(n)}, err
}

// pin runs "pin PROTO a,b [shard=S]" and "unpin PROTO [shard=S]".
func (d *selectorDriver) pin(now time.Time, c Command) error {
	name, err := c.Arg(0)
	if err != nil {
		return err
	}
	id, err := parseProtocol(name)
	if err != nil {
		return err
	}
	var ids []peerid.ID
	if c.Name == "pin" {
		list, err := c.Arg(1)
		if err != nil {
			return err
		}
		ids = parsePeers(list)
	}
	if v, ok := c.Opts["shard"]; ok {
		idx, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return err
		}
		return d.sel.PinFor(id, shardmesh.Shard{Cluster: d.cfg.Cluster, Index: uint16(idx)}, ids, now)
	}
	return d.sel.Pin(id, ids, now)
}
