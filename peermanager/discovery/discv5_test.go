package discovery

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p/discover"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"

	"github.com/wakupm/wakupm/shardmesh"
	wakuenr "github.com/wakupm/wakupm/shardmesh/enr"
)

// discv5Node is a real go-ethereum discv5 listener on 127.0.0.1 UDP.
type discv5Node struct {
	listener *discover.UDPv5
	node     *enode.Node
}

// startDiscv5 starts a listener whose record carries rec's Waku entries and
// a libp2p TCP port, bootstrapping from boot (if any). protocolID nil means
// the Waku id (ListenV5); otherwise the listener speaks that id.
func startDiscv5(t *testing.T, rec record, protocolID *[6]byte, boot ...*enode.Node) discv5Node {
	t.Helper()
	key := newKey(t)
	db, err := enode.OpenDB("")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	ln := enode.NewLocalNode(db, key)
	ln.SetStaticIP(net.IPv4(127, 0, 0, 1))
	ln.Set(enr.UDP(conn.LocalAddr().(*net.UDPAddr).Port))
	ln.Set(enr.TCP(rec.tcp))
	if len(rec.shards) > 0 {
		if err := wakuenr.SetLocalNodeRelayShards(ln, wakuenr.RelayShards{Cluster: rec.cluster, Indices: rec.shards}); err != nil {
			t.Fatal(err)
		}
	}
	if !rec.noWaku2 {
		ln.Set(wakuenr.Waku2(rec.caps))
	}
	cfg := discover.Config{Bootnodes: boot}
	var l *discover.UDPv5
	if protocolID == nil {
		l, err = ListenV5(conn, ln, key, cfg)
	} else {
		cfg.PrivateKey, cfg.V5ProtocolID = key, protocolID
		l, err = discover.ListenV5(conn, ln, cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		l.Close()
		db.Close()
	})
	return discv5Node{listener: l, node: ln.Node()}
}

func TestDiscv5FindsMatchingNodesOnLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("discv5 random walks take a few seconds")
	}
	relay := shardmesh.CapRelay
	boot := startDiscv5(t, record{cluster: 16, shards: []uint16{1}, caps: relay, tcp: 60000}, nil)
	want := map[enode.ID]bool{}
	for _, rec := range []record{
		{cluster: 16, shards: []uint16{32}, caps: relay, tcp: 60001},
		{cluster: 16, shards: []uint16{64, 32}, caps: relay | shardmesh.CapStore, tcp: 60002},
	} {
		want[startDiscv5(t, rec, nil, boot.node).node.ID()] = true
	}
	for _, rec := range []record{
		{cluster: 16, shards: []uint16{5}, caps: relay, tcp: 60003},               // no wanted shard
		{cluster: 1, shards: []uint16{32}, caps: relay, tcp: 60004},               // other cluster
		{cluster: 16, shards: []uint16{32}, caps: 0, tcp: 60005},                  // waku2 zero
		{cluster: 16, shards: []uint16{32}, noWaku2: true, tcp: 60006},            // waku2 missing
		{cluster: 16, shards: []uint16{32}, caps: shardmesh.CapStore, tcp: 60007}, // no relay
	} {
		startDiscv5(t, rec, nil, boot.node)
	}
	self := startDiscv5(t, record{cluster: 16, shards: []uint16{32}, caps: relay, tcp: 60008}, nil, boot.node)

	src, err := NewDiscv5(self.listener, WithSearchTimeout(40*time.Second), WithPrivateAddresses()) // loopback records
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ch, err := src.Find(context.Background(), Request{Cluster: 16, Shards: set(t, 32), Capabilities: relay, N: len(want)})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(ch) // ends when both are found, or at the timeout
	if len(got) != len(want) {
		t.Fatalf("found %d of %d matching nodes", len(got), len(want))
	}
	for _, c := range got {
		if !want[c.Node.ID()] || c.Origin != OriginDiscv5 || !c.ShardsKnown || !c.Shards.Contains(32) || len(c.AddrInfo.Addrs) != 1 {
			t.Fatalf("unexpected candidate %+v", c)
		}
	}
}

func TestDiscv5ProtocolIDIsolatesNetworks(t *testing.T) {
	waku := startDiscv5(t, record{cluster: 16, shards: []uint16{1}, caps: shardmesh.CapRelay, tcp: 60000}, nil)
	ethID := [6]byte{'d', 'i', 's', 'c', 'v', '5'}
	eth := startDiscv5(t, record{cluster: 16, shards: []uint16{1}, caps: shardmesh.CapRelay, tcp: 60001}, &ethID)
	peerWaku := startDiscv5(t, record{cluster: 16, shards: []uint16{1}, caps: shardmesh.CapRelay, tcp: 60002}, nil)

	if _, err := waku.listener.Ping(peerWaku.node); err != nil {
		t.Fatalf("two d5waku nodes must talk: %v", err)
	}
	if _, err := waku.listener.Ping(eth.node); err == nil {
		t.Fatal("a d5waku node answered by an Ethereum discv5 node")
	}
}
