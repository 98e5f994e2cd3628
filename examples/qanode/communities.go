package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// defaultCommunityShard is the shard where communities without a shard of
// their own are created (the "mass creation of communities on a shared
// shard for QA" of logos-co/roadmap
// content/waku/milestones/open/2024-static-sharding-dedicated-shards.md).
const defaultCommunityShard = 32

// communitiesConfig is what "qanode communities" takes.
type communitiesConfig struct {
	nodes, communities int
	firstShard         uint16
	cluster            uint16
	restPort           int // REST port of the first node, the next ones follow; 0: any free port
	duration           time.Duration
	keysOut            string
	logLevel           string
}

func parseCommunitiesFlags(args []string, stderr io.Writer) (communitiesConfig, error) {
	var c communitiesConfig
	fs := flag.NewFlagSet("qanode communities", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: qanode communities [-nodes N] [-communities M] [-first-shard S] [-duration D] [-keys-out F]")
		fmt.Fprintln(stderr, "Starts N local QA nodes on M protected community shards (S, S+1, …) and the shared shard 32, prints")
		fmt.Fprintln(stderr, "each node's page and REST URLs, and stops them all on SIGINT, SIGTERM or after -duration.")
		fs.PrintDefaults()
	}
	var cluster, first uint
	fs.IntVar(&c.nodes, "nodes", 6, "QA nodes to start (at least -communities: each community's first node is its owner)")
	fs.IntVar(&c.communities, "communities", 2, "community shards, each with its own key pair")
	fs.UintVar(&first, "first-shard", 200, "shard of the first community; the others follow")
	fs.UintVar(&cluster, "cluster", 16, "cluster id")
	fs.IntVar(&c.restPort, "rest-port", 0, "REST port of the first node on 127.0.0.1, the others follow (0: free ports)")
	fs.DurationVar(&c.duration, "duration", 0, "stop after this long (0: run until SIGINT or SIGTERM)")
	fs.StringVar(&c.keysOut, "keys-out", "", "write every community's shard and key pair to this JSON file (mode 0600)")
	fs.StringVar(&c.logLevel, "log-level", "warn", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	last := first + uint(max(c.communities, 1)) - 1
	var err error
	switch {
	case fs.NArg() > 0:
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.communities < 1 || c.nodes < c.communities:
		err = fmt.Errorf("-communities %d, -nodes %d: want 1 <= communities <= nodes", c.communities, c.nodes)
	case c.nodes > 100:
		err = fmt.Errorf("-nodes %d: at most 100 on one machine", c.nodes)
	case last > shardmesh.MaxShardIndex:
		err = fmt.Errorf("-first-shard %d with %d communities goes past shard %d", first, c.communities, shardmesh.MaxShardIndex)
	case first <= defaultCommunityShard && defaultCommunityShard <= last:
		err = fmt.Errorf("community shards %d..%d include %d, the shared shard every node joins", first, last, defaultCommunityShard)
	case cluster > 65535:
		err = fmt.Errorf("-cluster %d: want 0..65535", cluster)
	case c.restPort < 0 || c.restPort+c.nodes > 65536:
		err = fmt.Errorf("-rest-port %d: want 0 or a port with room for %d nodes", c.restPort, c.nodes)
	}
	if err != nil {
		fmt.Fprintln(stderr, "qanode communities:", err)
		return c, err
	}
	c.firstShard, c.cluster = uint16(first), uint16(cluster)
	return c, nil
}

// community is one protected shard and its key pair.
type community struct {
	Shard      uint16 `json:"shard"`
	Topic      string `json:"pubsubTopic"`
	PublicKey  string `json:"publicKey"`
	PrivateKey string `json:"privateKey"`
	key        protected.PrivateKey
}

// runningNode is one node of the set and its REST server.
type runningNode struct {
	name string
	node *Node
	srv  *http.Server
	url  string
}

// runCommunities runs "qanode communities" until ctx is done or the
// duration passes, and returns the exit code.
func runCommunities(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseCommunitiesFlags(args, stderr)
	if err != nil {
		return 2
	}
	if err := c.run(ctx, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "qanode communities:", err)
		return 1
	}
	return 0
}

func (c communitiesConfig) run(ctx context.Context, stdout, stderr io.Writer) (err error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return fmt.Errorf("-log-level %q: %w", c.logLevel, err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	comms, err := c.newCommunities()
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	var nodes []*runningNode
	defer func() { err = errors.Join(err, stopNodes(nodes, &wg)) }()
	for i := range c.nodes {
		rn, err := c.startNode(i, comms, nodes, log, &wg)
		if err != nil {
			return fmt.Errorf("node-%d: %w", i+1, err)
		}
		nodes = append(nodes, rn)
	}
	c.print(stdout, comms, nodes)
	if c.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.duration)
		defer cancel()
	}
	<-ctx.Done()
	fmt.Fprintf(stdout, "stopping %d nodes\n", len(nodes))
	return nil
}

// newCommunities makes a key pair per community shard and writes them to
// -keys-out.
func (c communitiesConfig) newCommunities() ([]community, error) {
	comms := make([]community, c.communities)
	for i := range comms {
		k, err := protected.GenerateKey()
		if err != nil {
			return nil, err
		}
		shard := shardmesh.Shard{Cluster: c.cluster, Index: c.firstShard + uint16(i)}
		comms[i] = community{Shard: shard.Index, Topic: shard.PubsubTopic(), PublicKey: k.Public().Hex(), PrivateKey: k.Hex(), key: k}
	}
	if c.keysOut != "" {
		raw, err := json.MarshalIndent(comms, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(c.keysOut, append(raw, '\n'), 0o600); err != nil {
			return nil, fmt.Errorf("-keys-out: %w", err)
		}
	}
	return comms, nil
}

// startNode starts node i: on shard 32 and community i mod M, the owner
// (signing) when it is the community's first node, a relay with the public
// key otherwise. It dials the two nodes before it and the previous node of
// its community, so that every shard's nodes are connected.
func (c communitiesConfig) startNode(i int, comms []community, before []*runningNode, log *slog.Logger, wg *sync.WaitGroup) (*runningNode, error) {
	comm := comms[i%len(comms)]
	cfg := config{
		listen: []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")}, cluster: c.cluster,
		shards:   []uint16{defaultCommunityShard, comm.Shard},
		maxConns: defaultMaxConns, colocate: 0, buffer: defaultBuffer, noMetrics: true,
		protect:  map[uint16]protected.PublicKey{comm.Shard: comm.key.Public()},
		signKeys: map[uint16]protected.PrivateKey{},
	}
	if i < len(comms) {
		cfg.signKeys[comm.Shard] = comm.key
	}
	seen := map[int]bool{}
	for _, j := range []int{i - 1, i - 2, i - len(comms)} {
		if j >= 0 && !seen[j] {
			seen[j] = true
			h := before[j].node.host
			cfg.peers = append(cfg.peers, peer.AddrInfo{ID: h.ID(), Addrs: h.Addrs()})
		}
	}
	addr := "127.0.0.1:0"
	if c.restPort > 0 {
		addr = "127.0.0.1:" + strconv.Itoa(c.restPort+i)
	}
	cfg.rest = addr
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("node-%d", i+1)
	n, err := newNode(cfg, log.With("node", name))
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	rn := &runningNode{name: name, node: n, srv: newRESTServer(n.Handler(), 0), url: "http://" + ln.Addr().String()}
	wg.Go(func() { _ = rn.srv.Serve(ln) })
	return rn, nil
}

func (c communitiesConfig) print(w io.Writer, comms []community, nodes []*runningNode) {
	for i, cm := range comms {
		fmt.Fprintf(w, "community %d: shard %d (%s), public key %s, owner %s\n", i+1, cm.Shard, cm.Topic, cm.PublicKey, nodes[i].name)
	}
	for i, rn := range nodes {
		comm := comms[i%len(comms)]
		role := "relay"
		if i < len(comms) {
			role = "owner"
		}
		fmt.Fprintf(w, "%s %s of shard %d (and shard %d): page %s/ REST %s %s/p2p/%s\n", rn.name, role, comm.Shard,
			defaultCommunityShard, rn.url, rn.url, rn.node.host.Addrs()[0], rn.node.selfID())
	}
	stop := "SIGINT or SIGTERM"
	if c.duration > 0 {
		stop += " or after " + c.duration.String()
	}
	fmt.Fprintf(w, "running %d nodes on %d community shards and shard %d; stopping on %s\n", len(nodes), len(comms), defaultCommunityShard, stop)
}

// stopNodes shuts the REST servers down, waits for them and closes the
// nodes, newest first.
func stopNodes(nodes []*runningNode, wg *sync.WaitGroup) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var errs []error
	for _, rn := range nodes {
		if err := rn.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s REST: %w", rn.name, err))
		}
	}
	wg.Wait()
	for i := len(nodes) - 1; i >= 0; i-- {
		if err := nodes[i].node.Close(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", nodes[i].name, err))
		}
	}
	return errors.Join(errs...)
}
