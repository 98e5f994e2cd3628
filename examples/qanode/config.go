package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/examples/qanode/restbody"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// config is what the command line sets.
type config struct {
	listen    []ma.Multiaddr
	rest      string
	cluster   uint16
	shards    []uint16
	peers     []peer.AddrInfo
	nodeKey   string // hex secp256k1 private key of the libp2p identity
	maxConns  int
	colocate  int
	buffer    int
	protect   map[uint16]protected.PublicKey  // -protected-shard
	signKeys  map[uint16]protected.PrivateKey // -shard-signing-key
	previous  map[uint16]previousKey          // -protected-shard-previous (config_rotate.go)
	logLevel  string
	genKey    bool
	noMetrics bool
	noReplay  bool        // validate protected shards as nwaku and go-waku do
	serve     []string    // -serve: light-client services (serve.go)
	waiting   int         // -waiting-clients; < 0: the gater's default
	wsTLS     *tls.Config // -ws-cert-file, -ws-key-file: the /wss listeners' certificate (wss.go)

	restPublic bool     // -rest-public: a non-loopback -rest is intended
	restHosts  []string // -rest-allowed-host: Host names accepted besides loopback ("*": any)
	restToken  string   // from -rest-token-file or QANODE_REST_TOKEN; empty: none
}

// restTokenEnv names the environment variable that may hold the REST token
// (a file or the environment keep it out of ps, unlike a flag value).
const restTokenEnv = "QANODE_REST_TOKEN"

// Defaults, after nwaku's where it has one: REST on port 8645, libp2p on
// 60000, 50 connections (nwaku's CLI defaults, waku/factory/external_config.nim;
// go-waku cmd/waku/flags.go:31 also takes 50).
const (
	defaultREST     = "127.0.0.1:8645"
	defaultListen   = "/ip4/0.0.0.0/tcp/60000"
	defaultMaxConns = 50
	defaultBuffer   = 200
)

// multiFlag collects a repeatable flag through a parse function.
type multiFlag struct {
	values []string
	parse  func(string) error
}

func (f *multiFlag) String() string { return strings.Join(f.values, ",") }

func (f *multiFlag) Set(s string) error {
	if err := f.parse(s); err != nil {
		return err
	}
	f.values = append(f.values, s)
	return nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	return parseFlagsEnv(args, stderr, os.Getenv)
}

func parseFlagsEnv(args []string, stderr io.Writer, getenv func(string) string) (config, error) {
	fs := flag.NewFlagSet("qanode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := config{protect: map[uint16]protected.PublicKey{}, signKeys: map[uint16]protected.PrivateKey{}, waiting: -1}
	var raw rawFlags
	defineNodeFlags(fs, &c, &raw)
	definePreviousKeyFlag(fs, &c)
	defineKeyAndRESTFlags(fs, &c, &raw)
	defineServeFlags(fs, &c)
	defineWSSFlags(fs, &raw.wsTLS)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		raw.extra = fs.Arg(0)
	}
	if err := c.finish(raw, getenv); err != nil {
		fmt.Fprintln(stderr, "qanode:", err)
		return c, err
	}
	return c, nil
}

// rawFlags are the flag values that config.finish turns into config.
type rawFlags struct {
	cluster                uint
	nodeKeyFile, tokenFile string
	extra                  string // the first argument that is not a flag
	wsTLS                  wsTLSFiles
}

// defineNodeFlags defines the flags of the node itself: addresses, cluster,
// shards, peers and protected shards.
func defineNodeFlags(fs *flag.FlagSet, c *config, raw *rawFlags) {
	fs.Var(&multiFlag{parse: func(s string) error {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			return err
		}
		c.listen = append(c.listen, a)
		return nil
	}}, "listen", "libp2p listen multiaddr, repeatable (default "+defaultListen+")")
	fs.StringVar(&c.rest, "rest", defaultREST, "REST API listen address host:port (keep it on loopback: the admin API takes private keys)")
	fs.UintVar(&raw.cluster, "cluster", 16, "cluster id (16: Status)")
	fs.Var(&multiFlag{parse: func(s string) error {
		n, err := restbody.ShardIndex(s)
		if err != nil {
			return err
		}
		c.shards = append(c.shards, n)
		return nil
	}}, "shard", "shard index to subscribe to at start, repeatable")
	fs.Var(&multiFlag{parse: func(s string) error {
		info, err := peer.AddrInfoFromString(s)
		if err != nil {
			return fmt.Errorf("want a multiaddr ending in /p2p/<peer id>: %w", err)
		}
		c.peers = append(c.peers, *info)
		return nil
	}}, "peer", "static peer multiaddr with /p2p/<id>, repeatable: kept connected")
	fs.Var(&multiFlag{parse: func(s string) error {
		shard, key, err := splitShardKey(s)
		if err != nil {
			return err
		}
		pub, err := protected.ParsePublicKey(key)
		if err != nil {
			return err
		}
		c.protect[shard] = pub
		return nil
	}}, "protected-shard", "<shard>:<hex public key> (nwaku's syntax), repeatable: only messages signed with the key are relayed")
	fs.Var(&multiFlag{parse: func(s string) error {
		shard, key, err := splitShardKey(s)
		if err != nil {
			return err
		}
		priv, err := protected.ParsePrivateKey(key)
		if err != nil {
			return err
		}
		c.signKeys[shard] = priv
		return nil
	}}, "shard-signing-key", "<shard>:<hex private key>, repeatable: protects the shard and signs what this node publishes on it")
	fs.Var(&multiFlag{parse: func(s string) error {
		shard, path, err := splitShardKey(s)
		if err != nil {
			return err
		}
		key, err := readSecretFile(path)
		if err != nil {
			return err
		}
		priv, err := protected.ParsePrivateKey(key)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		c.signKeys[shard] = priv
		return nil
	}}, "shard-signing-key-file", "<shard>:<file holding the hex private key>, repeatable: as -shard-signing-key, without the key showing in ps")
}

// defineKeyAndRESTFlags defines the key files, limits, logging and REST
// exposure flags.
func defineKeyAndRESTFlags(fs *flag.FlagSet, c *config, raw *rawFlags) {
	fs.StringVar(&c.nodeKey, "nodekey", "", "hex secp256k1 private key of the libp2p identity (default: a new one; prefer -nodekey-file)")
	fs.StringVar(&raw.nodeKeyFile, "nodekey-file", "", "file holding the hex -nodekey (keeps it out of ps)")
	fs.BoolVar(&c.restPublic, "rest-public", false, "allow a -rest address that is not loopback (give a token and the -rest-allowed-host names clients use)")
	fs.Var(&multiFlag{parse: func(s string) error {
		h := strings.ToLower(strings.Trim(s, "[]"))
		if _, err := netip.ParseAddr(h); err != nil && (h == "" || strings.ContainsAny(h, "/: ")) {
			return errors.New("want a host name or an address without port, or *")
		}
		c.restHosts = append(c.restHosts, h)
		return nil
	}}, "rest-allowed-host", "Host name the REST API answers besides loopback ones, repeatable (*: any; needs a token)")
	fs.StringVar(&raw.tokenFile, "rest-token-file", "", "file holding a bearer token every REST request must carry (default: $"+restTokenEnv+", else none)")
	fs.IntVar(&c.maxConns, "max-connections", defaultMaxConns, "connection budget (relay 60%, filter and light-push slots 40%)")
	fs.IntVar(&c.colocate, "colocation-limit", 5, "connected peers allowed per IPv4 address and per IPv6 /64; the gater allows twice that per IPv6 /48 (0: no limit, and no per-/24 cap on filter and light-push slots either; raise it to run many nodes on one machine)")
	fs.IntVar(&c.buffer, "buffer", defaultBuffer, "received messages kept per shard for GET /relay/messages")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.BoolVar(&c.genKey, "genkey", false, "print a new shard key pair as JSON and exit")
	fs.BoolVar(&c.noReplay, "no-replay-protection", false, "validate protected shards as nwaku and go-waku do, relying on gossipsub's 2 min seen cache alone (to reproduce replays)")
	fs.BoolVar(&c.noMetrics, "no-go-metrics", false, "leave the Go runtime and process collectors out of /metrics")
}

// finish checks the parsed flags and completes c: key and token files are
// read, defaults filled in.
func (c *config) finish(raw rawFlags, getenv func(string) string) error {
	switch {
	case raw.extra != "":
		return fmt.Errorf("unexpected argument %q", raw.extra)
	case raw.cluster > 65535:
		return fmt.Errorf("-cluster %d: want 0..65535", raw.cluster)
	case c.maxConns < 1 || c.colocate < 0 || c.buffer < 1:
		return errors.New("-max-connections and -buffer must be positive, -colocation-limit >= 0")
	}
	if raw.nodeKeyFile != "" {
		if c.nodeKey != "" {
			return errors.New("give -nodekey or -nodekey-file, not both")
		}
		key, err := readSecretFile(raw.nodeKeyFile)
		if err != nil {
			return fmt.Errorf("-nodekey-file: %w", err)
		}
		c.nodeKey = key
	}
	c.restToken = getenv(restTokenEnv)
	if raw.tokenFile != "" {
		tok, err := readSecretFile(raw.tokenFile)
		if err != nil {
			return fmt.Errorf("-rest-token-file: %w", err)
		}
		c.restToken = tok
	}
	if err := checkRESTExposure(*c); err != nil {
		return err
	}
	if c.nodeKey != "" {
		if _, err := identity(c.nodeKey); err != nil {
			return err
		}
	}
	c.cluster = uint16(raw.cluster)
	if len(c.listen) == 0 {
		c.listen = []ma.Multiaddr{ma.StringCast(defaultListen)}
	}
	if err := c.finishWSS(raw.wsTLS); err != nil {
		return err
	}
	for shard, priv := range c.signKeys {
		if pub, ok := c.protect[shard]; ok && pub != priv.Public() {
			return fmt.Errorf("shard %d: -shard-signing-key does not match -protected-shard's public key", shard)
		}
	}
	return c.checkPreviousKeys()
}

// checkRESTExposure refuses a REST address reachable from other machines
// unless -rest-public says so, and accepting any Host without a token.
func checkRESTExposure(c config) error {
	host, _, err := net.SplitHostPort(c.rest)
	if err != nil {
		return fmt.Errorf("-rest %q: want host:port: %w", c.rest, err)
	}
	if !c.restPublic && !isLoopbackName(strings.ToLower(host)) {
		return fmt.Errorf("-rest %s is not a loopback address: the API takes private keys; add -rest-public (with -rest-token-file) to expose it", c.rest)
	}
	if slices.Contains(c.restHosts, "*") && c.restToken == "" {
		return errors.New("-rest-allowed-host '*' accepts DNS-rebound requests: it needs a token (-rest-token-file or $" + restTokenEnv + ")")
	}
	return nil
}

// readSecretFile returns the first line of a key or token file, trimmed.
func readSecretFile(path string) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	if line = strings.TrimSpace(line); line == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return line, nil
}

func splitShardKey(s string) (uint16, string, error) {
	shard, key, ok := strings.Cut(s, ":")
	if !ok {
		return 0, "", errors.New("want <shard>:<hex key>")
	}
	n, err := restbody.ShardIndex(shard)
	return n, key, err
}
