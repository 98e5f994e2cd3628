// Command fullnode shows the peer management of a go-waku-like full node
// wired from wakupm's public API on one host: the relay Manager (with
// gossipsub's tracer, the connection gater and a discovery source) and a
// service-peer Selector for the node's own filter, store and light-push
// clients, over one book with one metadata service. It runs a few nodes on
// loopback until their shards are healthy and prints what the first
// node's clients select.
//
//	go run ./examples/fullnode [-nodes 6]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/peermanager/discovery"
	"github.com/wakupm/wakupm/peermanager/selection"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/shardmesh"
)

func main() {
	os.Exit(runMain(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func runMain(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("fullnode", flag.ContinueOnError)
	fs.SetOutput(errOut)
	n := fs.Int("nodes", 6, "nodes on loopback (>= 5: gossipsub's Dlo is 4)")
	if err := fs.Parse(args); err != nil || *n < 5 {
		return 2
	}
	if err := run(ctx, *n, out); err != nil {
		fmt.Fprintln(errOut, "fullnode:", err)
		return 1
	}
	return 0
}

// shardOf is the one shard of the demo.
var shardOf = shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: 0}

func run(ctx context.Context, count int, out io.Writer) error {
	nodes := make([]*FullNode, count)
	hosts := make([]host.Host, count)
	for i := range nodes {
		fn, err := NewFullNode(50)
		if err != nil {
			return err
		}
		h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/udp/0/quic-v1"), libp2p.ConnectionGater(fn.Gater),
			libp2p.DisableMetrics())
		if err != nil {
			return err
		}
		defer h.Close()
		nodes[i], hosts[i] = fn, h
	}
	for i, fn := range nodes {
		ps, err := pubsub.NewGossipSub(ctx, hosts[i], fn.PubsubOptions()...)
		if err != nil {
			return err
		}
		serveAsServiceNode(hosts[i])
		if err := fn.Start(hosts[i], shardOf.Cluster, discovery.NewStatic(others(hosts, i)...)); err != nil {
			return err
		}
		defer fn.Close()
		topic, err := ps.Join(shardOf.PubsubTopic())
		if err != nil {
			return err
		}
		if _, err := topic.Subscribe(); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(time.Minute)
	for nodes[0].Tracker.Health(shardOf) != shardmesh.SufficientlyHealthy {
		if time.Now().After(deadline) {
			return fmt.Errorf("shard %d not sufficiently healthy after a minute", shardOf.Index)
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Fprintf(out, "node 0: shard %d %s\n", shardOf.Index, nodes[0].Tracker.Health(shardOf))
	for _, proto := range []string{protocols.Store, protocols.FilterSubscribe} {
		ids, err := nodes[0].Selector.Select(ctx, selection.ForShard(proto, shardOf, 0))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "node 0 %s client uses %v\n", proto, ids)
	}
	return nil
}

// serveAsServiceNode registers store and filter handlers, so that
// identify announces them (the demo serves nothing).
func serveAsServiceNode(h host.Host) {
	for _, p := range []string{protocols.Store, protocols.FilterSubscribe} {
		h.SetStreamHandler(protocol.ID(p), func(s network.Stream) { _ = s.Reset() })
	}
}

// others are the discovery records of every host but i: relay, store and
// filter on the demo shard.
func others(hosts []host.Host, i int) []discovery.Candidate {
	var set shardmesh.ShardSet
	set.Add(shardOf.Index)
	var out []discovery.Candidate
	for j, h := range hosts {
		if j != i {
			out = append(out, discovery.Candidate{AddrInfo: peer.AddrInfo{ID: h.ID(), Addrs: h.Addrs()},
				Origin: discovery.OriginStatic, ShardsKnown: true, Cluster: shardOf.Cluster, Shards: set,
				Capabilities: shardmesh.CapRelay | shardmesh.CapStore | shardmesh.CapFilter})
		}
	}
	return out
}
