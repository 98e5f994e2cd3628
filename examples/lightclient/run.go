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
	names := map[peer.ID]string{}
	for i, n := range nodes {
		names[n.ID()] = fmt.Sprintf("node-%d", i+1)
	}
	byID := map[peer.ID]*serviceNode{}
	for _, n := range nodes {
		byID[n.ID()] = n
	}
	name := func(id peer.ID) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id.ShortString()
	}

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

	// Service peers as peer exchange returns them: an ENR with the shard and
	// the filter and light-push capabilities, and addresses.
	shards, err := shardmesh.ShardSetOf(shard.Index)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		client.Peerstore().AddAddrs(n.ID(), n.Addrs(), peerstore.PermanentAddrTTL)
		if err := sel.AddPeer(book.DiscoveredPeer{ID: peerid.ID(n.ID()), Origin: book.OriginPeerExchange,
			HasENR: true, Cluster: shardmesh.ClusterTWN, HasShards: true, Shards: shards,
			Caps: shardmesh.CapFilter | shardmesh.CapLightPush}); err != nil {
			return err
		}
		if err := client.Connect(ctx, peer.AddrInfo{ID: n.ID(), Addrs: n.Addrs()}); err != nil {
			return fmt.Errorf("connect %s: %w", names[n.ID()], err)
		}
	}
	fmt.Fprintf(out, "light client %s: %d service nodes on %s (content topic %s), preset %s\n",
		client.ID(), len(nodes), shard, contentTopic, cfg.preset)

	events := func() {
		for len(sel.Notifications()) > 0 {
			e := <-sel.Notifications()
			switch e.Kind {
			case selection.NotifyHealthChanged:
				fmt.Fprintf(out, "  event: shard %d light-client health %s\n", e.Shard.Index, e.Health)
			case selection.NotifyPeerReplaced, selection.NotifyPeerReleased:
				by := "nobody (none eligible)"
				if e.Replacement != "" {
					by = name(peer.ID(e.Replacement))
				}
				why := "no longer eligible"
				if e.Kind == selection.NotifyPeerReplaced {
					why = e.Outcome.String()
				}
				fmt.Fprintf(out, "  event: %s %s %s by %s (%s)\n", shortProto(e.Protocol), e.Kind, name(peer.ID(e.Peer)), by, why)
			default:
				fmt.Fprintf(out, "  event: %s %s %d/%d live\n", shortProto(e.Protocol), e.Kind, e.Live, e.Target)
			}
		}
	}

	filterPeers, err := sel.Select(ctx, selection.ForContentTopic(protocols.FilterSubscribe, contentTopic, 0))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "filter subscriptions through %s\n", nameList(filterPeers, name))
	events()

	delivered := 0
	killed := map[peer.ID]bool{}
	var inUse []peer.ID
	for i := 1; i <= cfg.messages; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if i == cfg.rateLimitAt && len(inUse) > 0 {
			victim := byID[inUse[len(inUse)-1]]
			victim.rateLimited.Store(true)
			fmt.Fprintf(out, "%s starts answering 429 Too Many Requests\n", name(victim.ID()))
		}
		if i == cfg.killAt && len(inUse) > 0 {
			victim := inUse[0]
			killed[victim] = true
			fmt.Fprintf(out, "killing %s, a light-push peer in use\n", name(victim))
			_ = byID[victim].Close()
			time.Sleep(200 * time.Millisecond) // let the connection close reach the client
			events()
		}
		peers, err := sel.Select(ctx, selection.ForContentTopic(protocols.LightPush, contentTopic, 0))
		if err != nil {
			fmt.Fprintf(out, "message %d: no light-push peer: %v\n", i, err)
		}
		inUse = peers
		var results []string
		ok := false
		for _, p := range peers {
			o := lightPush(ctx, client, p, shard.PubsubTopic(), contentTopic, fmt.Appendf(nil, "message %d", i))
			if err := sel.Report(p, protocols.LightPush, o); err != nil {
				return err
			}
			ok = ok || o == selection.OutcomeSuccess
			results = append(results, name(p)+" "+o.String())
		}
		if ok {
			delivered++
		}
		fmt.Fprintf(out, "message %d via %s\n", i, strings.Join(results, ", "))
		events()
		time.Sleep(cfg.interval)
	}

	fmt.Fprintf(out, "delivered %d of %d messages\n", delivered, cfg.messages)

	// A killed peer may still sit in the filter pool: filter tolerates one
	// failure (the lost connection) and is replaced at the second, the
	// keep-alive's failed ping.
	holdsKilled := func() bool {
		for _, id := range sel.PoolPeers() {
			if killed[id] {
				return true
			}
		}
		return false
	}
	if holdsKilled() {
		fmt.Fprintln(out, "waiting for the keep-alive to ping the killed peer")
		for deadline := time.Now().Add(keepaliveInterval + 2*keepaliveTimeout); holdsKilled() && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
			events()
		}
	}
	for _, proto := range []string{"filter", "lightpush"} {
		var id protocol.ID = protocols.FilterSubscribe
		if proto == "lightpush" {
			id = protocols.LightPush
		}
		var members []string
		for _, m := range sel.Pool(id, shard) {
			state := "live"
			if !m.Live {
				state = "not connected"
			}
			if killed[peer.ID(m.ID)] {
				return fmt.Errorf("%s pool still holds killed %s", proto, name(peer.ID(m.ID)))
			}
			members = append(members, name(peer.ID(m.ID))+" ("+state+")")
		}
		fmt.Fprintf(out, "%s pool: %s\n", proto, strings.Join(members, ", "))
	}
	fmt.Fprintf(out, "light-client health of %s: %s\n", shard, sel.Health(shard))
	if cfg.metrics {
		return printMetrics(out, sel)
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
