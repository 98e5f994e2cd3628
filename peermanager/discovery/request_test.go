package discovery

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/shardmesh"
)

func TestMatchNode(t *testing.T) {
	relay := shardmesh.CapRelay
	req := Request{Cluster: 16, Shards: set(t, 32, 64), Capabilities: relay, N: 1}
	tests := []struct {
		name string
		rec  record
		want bool
	}{
		{"on a wanted shard", record{cluster: 16, shards: []uint16{64, 128}, caps: relay | shardmesh.CapStore}, true},
		{"no wanted shard", record{cluster: 16, shards: []uint16{5}, caps: relay}, false},
		{"other cluster, same index", record{cluster: 1, shards: []uint16{32}, caps: relay}, false},
		{"missing capability", record{cluster: 16, shards: []uint16{32}, caps: shardmesh.CapStore}, false},
		{"waku2 zero", record{cluster: 16, shards: []uint16{32}, caps: 0}, false},
		{"waku2 missing", record{cluster: 16, shards: []uint16{32}, noWaku2: true}, false},
		{"no rs/rsv", record{caps: relay}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _ := tt.rec.node(t)
			if got := req.MatchNode(n); got != tt.want {
				t.Fatalf("MatchNode = %v, want %v", got, tt.want)
			}
		})
	}
	anyShard := Request{Cluster: 16, N: 1}
	if n, _ := (record{cluster: 16, shards: []uint16{999}, caps: shardmesh.CapStore}).node(t); !anyShard.MatchNode(n) {
		t.Fatal("an empty shard set must accept any shard of the cluster")
	}
	many := make([]uint16, 100)
	for i := range many {
		many[i] = uint16(i * 10)
	}
	if n, _ := (record{cluster: 16, shards: many, caps: relay}).node(t); !(Request{Cluster: 16, Shards: set(t, 990), N: 1}).MatchNode(n) {
		t.Fatal("a record in rsv form (100 shards) must match")
	}
}

func TestMatchCandidate(t *testing.T) {
	req := Request{Cluster: 16, Shards: set(t, 32), Capabilities: shardmesh.CapRelay, N: 1}
	unknown := Candidate{}
	if !req.MatchCandidate(unknown) {
		t.Fatal("a candidate with unknown shards matches")
	}
	if req.MatchCandidate(Candidate{ShardsKnown: true, Cluster: 16, Shards: set(t, 5)}) {
		t.Fatal("known shards must intersect")
	}
	if req.MatchCandidate(Candidate{Capabilities: shardmesh.CapStore}) {
		t.Fatal("known capabilities must include the required ones")
	}
}

func TestValidate(t *testing.T) {
	for _, n := range []int{0, -3, MaxCandidates + 1} {
		if err := (Request{N: n}).Validate(); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("N=%d: %v", n, err)
		}
	}
}

func TestCandidateFromNode(t *testing.T) {
	relayAddr := "/dns4/relay.example/tcp/443/wss/p2p/16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ"
	n, key := record{
		cluster: 16, shards: []uint16{32}, caps: shardmesh.CapRelay, tcp: 60000,
		multiaddr: []string{"/dns4/node.example/tcp/8000/wss", relayAddr},
	}.node(t)
	c, err := CandidateFromNode(n, OriginDiscv5)
	if err != nil {
		t.Fatal(err)
	}
	// The peer id is the one libp2p derives from the same secp256k1 key.
	priv, err := p2pcrypto.UnmarshalSecp256k1PrivateKey(crypto.FromECDSA(key))
	if err != nil {
		t.Fatal(err)
	}
	wantID, _ := peer.IDFromPrivateKey(priv)
	if c.AddrInfo.ID != wantID {
		t.Fatalf("peer id %s, want %s", c.AddrInfo.ID, wantID)
	}
	want := []string{
		"/ip4/127.0.0.1/tcp/60000",
		"/dns4/node.example/tcp/8000/wss",
		relayAddr + "/p2p-circuit",
	}
	if len(c.AddrInfo.Addrs) != len(want) {
		t.Fatalf("addrs %v, want %v", c.AddrInfo.Addrs, want)
	}
	for i, a := range c.AddrInfo.Addrs {
		if a.String() != want[i] {
			t.Fatalf("addr %d = %s, want %s", i, a, want[i])
		}
	}
	if !c.ShardsKnown || c.Cluster != 16 || c.Shards != set(t, 32) || c.Capabilities != shardmesh.CapRelay || c.Origin != OriginDiscv5 || c.Node != n {
		t.Fatalf("candidate %+v", c)
	}

	noAddr, _ := record{cluster: 16, shards: []uint16{32}, caps: shardmesh.CapRelay}.node(t)
	if _, err := CandidateFromNode(noAddr, OriginDiscv5); !errors.Is(err, ErrNoAddress) {
		t.Fatalf("want ErrNoAddress, got %v", err)
	}
}
