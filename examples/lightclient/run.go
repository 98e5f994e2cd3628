package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

// contentTopic is the client's application topic; autosharding puts it on
// shard 3 of The Waku Network.
const contentTopic = "/toychat/2/huilong/proto"

// The keep-alive is fast here so that the demo is short; a phone would use
// the default minute.
const (
	keepaliveInterval = time.Second
	keepaliveTimeout  = 500 * time.Millisecond
)

func run(ctx context.Context, cfg config, out io.Writer) error {
	mk, ok := selection.Presets()[cfg.preset]
	if !ok {
		return fmt.Errorf("unknown preset %q", cfg.preset)
	}
	shard, err := shardmesh.AutoShard(contentTopic, shardmesh.ClusterTWN, 8)
	if err != nil {
		return err
	}

	nodes, err := startServiceNodes(cfg.nodes)
	defer closeAll(nodes)
	if err != nil {
		return err
	}
	client, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/udp/0/quic-v1"), libp2p.DisableMetrics())
	if err != nil {
		return err
	}
	defer client.Close()

	// The light client: a selector following the host, with a keep-alive
	// pinging the pool members.
	keepalive := selector.DefaultKeepaliveConfig()
	keepalive.Interval, keepalive.Timeout = keepaliveInterval, keepaliveTimeout
	sel, err := selector.New(selector.WithHost(client), selector.WithConfig(mk()),
		selector.WithTick(time.Second), selector.WithKeepalive(keepalive))
	if err != nil {
		return err
	}
	defer sel.Close()

	d := &demo{cfg: cfg, out: out, client: client, sel: sel, shard: shard,
		names: map[peer.ID]string{}, byID: map[peer.ID]*serviceNode{}, killed: map[peer.ID]bool{}}
	for i, n := range nodes {
		d.names[n.ID()] = fmt.Sprintf("node-%d", i+1)
		d.byID[n.ID()] = n
	}
	if err := d.discover(ctx, nodes); err != nil {
		return err
	}
	fmt.Fprintf(out, "light client %s: %d service nodes on %s (content topic %s), preset %s\n",
		client.ID(), len(nodes), shard, contentTopic, cfg.preset)

	filterPeers, err := sel.Select(ctx, selection.ForContentTopic(protocols.FilterSubscribe, contentTopic, 0))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "filter subscriptions through %s\n", nameList(filterPeers, d.name))
	d.notifications()

	if err := d.send(ctx); err != nil {
		return err
	}
	d.awaitKilledReplaced()
	if err := d.printPools(); err != nil {
		return err
	}
	fmt.Fprintf(out, "light-client health of %s: %s\n", shard, sel.Health(shard))
	if cfg.metrics {
		return printMetrics(out, sel)
	}
	return nil
}

// demo is the light client's run: its selector, the service nodes by id,
// and what happened to them.
type demo struct {
	cfg    config
	out    io.Writer
	client host.Host
	sel    *selector.Selector
	shard  shardmesh.Shard
	names  map[peer.ID]string
	byID   map[peer.ID]*serviceNode
	killed map[peer.ID]bool
}

func (d *demo) name(id peer.ID) string {
	if n, ok := d.names[id]; ok {
		return n
	}
	return id.ShortString()
}

// discover adds the service nodes as peer exchange returns them (an ENR
// with the shard and the filter and light-push capabilities, and
// addresses) and connects to them.
func (d *demo) discover(ctx context.Context, nodes []*serviceNode) error {
	shards, err := shardmesh.ShardSetOf(d.shard.Index)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		d.client.Peerstore().AddAddrs(n.ID(), n.Addrs(), peerstore.PermanentAddrTTL)
		if err := d.sel.AddPeer(book.DiscoveredPeer{ID: peerid.ID(n.ID()), Origin: book.OriginPeerExchange,
			HasENR: true, Cluster: shardmesh.ClusterTWN, HasShards: true, Shards: shards,
			Caps: shardmesh.CapFilter | shardmesh.CapLightPush}); err != nil {
			return err
		}
		if err := d.client.Connect(ctx, peer.AddrInfo{ID: n.ID(), Addrs: n.Addrs()}); err != nil {
			return fmt.Errorf("connect %s: %w", d.names[n.ID()], err)
		}
	}
	return nil
}

// notifications prints the selector's notifications read so far.
func (d *demo) notifications() {
	for len(d.sel.Notifications()) > 0 {
		e := <-d.sel.Notifications()
		switch e.Kind {
		case selection.NotifyHealthChanged:
			fmt.Fprintf(d.out, "  event: shard %d light-client health %s\n", e.Shard.Index, e.Health)
		case selection.NotifyPeerReplaced, selection.NotifyPeerReleased:
			by := "nobody (none eligible)"
			if e.Replacement != "" {
				by = d.name(peer.ID(e.Replacement))
			}
			why := "no longer eligible"
			if e.Kind == selection.NotifyPeerReplaced {
				why = e.Outcome.String()
			}
			fmt.Fprintf(d.out, "  event: %s %s %s by %s (%s)\n", shortProto(e.Protocol), e.Kind, d.name(peer.ID(e.Peer)), by, why)
		default:
			fmt.Fprintf(d.out, "  event: %s %s %d/%d live\n", shortProto(e.Protocol), e.Kind, e.Live, e.Target)
		}
	}
}

// send publishes the messages through the light-push pool, reporting
// every outcome; along the way a peer in use starts answering 429 and
// another is killed.
func (d *demo) send(ctx context.Context) error {
	delivered := 0
	var inUse []peer.ID
	for i := 1; i <= d.cfg.messages; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		d.misbehave(i, inUse)
		peers, err := d.sel.Select(ctx, selection.ForContentTopic(protocols.LightPush, contentTopic, 0))
		if err != nil {
			fmt.Fprintf(d.out, "message %d: no light-push peer: %v\n", i, err)
		}
		inUse = peers
		var results []string
		ok := false
		for _, p := range peers {
			o := lightPush(ctx, d.client, p, d.shard.PubsubTopic(), contentTopic, fmt.Appendf(nil, "message %d", i))
			if err := d.sel.Report(p, protocols.LightPush, o); err != nil {
				return err
			}
			ok = ok || o == selection.OutcomeSuccess
			results = append(results, d.name(p)+" "+o.String())
		}
		if ok {
			delivered++
		}
		fmt.Fprintf(d.out, "message %d via %s\n", i, strings.Join(results, ", "))
		d.notifications()
		time.Sleep(d.cfg.interval)
	}
	fmt.Fprintf(d.out, "delivered %d of %d messages\n", delivered, d.cfg.messages)
	return nil
}

// misbehave makes a light-push peer in use answer 429 before message
// rateLimitAt, and kills another before message killAt.
func (d *demo) misbehave(i int, inUse []peer.ID) {
	if i == d.cfg.rateLimitAt && len(inUse) > 0 {
		victim := d.byID[inUse[len(inUse)-1]]
		victim.rateLimited.Store(true)
		fmt.Fprintf(d.out, "%s starts answering 429 Too Many Requests\n", d.name(victim.ID()))
	}
	if i == d.cfg.killAt && len(inUse) > 0 {
		victim := inUse[0]
		d.killed[victim] = true
		fmt.Fprintf(d.out, "killing %s, a light-push peer in use\n", d.name(victim))
		_ = d.byID[victim].Close()
		time.Sleep(200 * time.Millisecond) // let the connection close reach the client
		d.notifications()
	}
}

// awaitKilledReplaced waits for the pools to let go of a killed peer: it
// may still sit in the filter pool, since filter tolerates one failure (the
// lost connection) and is replaced at the second, the keep-alive's failed
// ping.
func (d *demo) awaitKilledReplaced() {
	holdsKilled := func() bool {
		return slices.ContainsFunc(d.sel.PoolPeers(), func(id peer.ID) bool { return d.killed[id] })
	}
	if !holdsKilled() {
		return
	}
	fmt.Fprintln(d.out, "waiting for the keep-alive to ping the killed peer")
	for deadline := time.Now().Add(keepaliveInterval + 2*keepaliveTimeout); holdsKilled() && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		d.notifications()
	}
}

// printPools prints the filter and light-push pools; a killed member is
// an error.
func (d *demo) printPools() error {
	for _, proto := range []string{"filter", "lightpush"} {
		var id protocol.ID = protocols.FilterSubscribe
		if proto == "lightpush" {
			id = protocols.LightPush
		}
		var members []string
		for _, m := range d.sel.Pool(id, d.shard) {
			state := "live"
			if !m.Live {
				state = "not connected"
			}
			if d.killed[peer.ID(m.ID)] {
				return fmt.Errorf("%s pool still holds killed %s", proto, d.name(peer.ID(m.ID)))
			}
			members = append(members, d.name(peer.ID(m.ID))+" ("+state+")")
		}
		fmt.Fprintf(d.out, "%s pool: %s\n", proto, strings.Join(members, ", "))
	}
	return nil
}

// serviceNode is a loopback host serving light push and filter.
type serviceNode struct {
	host.Host
	rateLimited atomic.Bool // answer 429 to light push
}

// startServiceNodes starts n service nodes.
func startServiceNodes(n int) ([]*serviceNode, error) {
	var nodes []*serviceNode
	for range n {
		h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/udp/0/quic-v1"), libp2p.DisableMetrics())
		if err != nil {
			return nodes, err
		}
		node := &serviceNode{Host: h}
		serveStatus(h, protocols.LightPush, func() uint32 {
			if node.rateLimited.Load() {
				return 429
			}
			return 200
		})
		serveStatus(h, protocols.FilterSubscribe, func() uint32 { return 200 })
		nodes = append(nodes, node)
	}
	return nodes, nil
}

func closeAll(nodes []*serviceNode) {
	for _, n := range nodes {
		_ = n.Close()
	}
}

func printMetrics(out io.Writer, sel *selector.Selector) error {
	c, err := metrics.NewSelectorCollector(sel)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		return err
	}
	families, err := reg.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(out, expfmt.NewFormat(expfmt.TypeTextPlain))
	var errs []error
	for _, f := range families {
		errs = append(errs, enc.Encode(f))
	}
	return errors.Join(errs...)
}

func nameList(ids []peer.ID, name func(peer.ID) string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = name(id)
	}
	slices.Sort(s)
	return strings.Join(s, ", ")
}

func shortProto(id string) string {
	switch id {
	case protocols.LightPush:
		return "light-push"
	case protocols.FilterSubscribe:
		return "filter"
	}
	return string(id)
}
