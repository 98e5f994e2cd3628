package discovery

import (
	"context"
	"testing"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/peermanager/peerexchange"
	"github.com/wakupm/wakupm/shardmesh"
)

func TestRemoteAddrAllowed(t *testing.T) {
	tests := []struct {
		addr            string
		public, private bool // allowed by default, and WithPrivateAddresses
	}{
		{"/ip4/203.0.113.7/tcp/60000", true, true},
		{"/ip6/2001:db8::1/tcp/60000", true, true},
		{"/dns4/node-01.example.org/tcp/443/wss", true, true},
		{"/ip4/169.254.169.254/tcp/80", false, false}, // the candidate: cloud metadata service
		{"/ip6/fe80::1/tcp/1", false, false},
		{"/ip4/0.0.0.0/tcp/1", false, false},
		{"/ip4/0.1.2.3/tcp/1", false, false},
		{"/ip6/::/tcp/1", false, false},
		{"/ip4/224.0.0.1/udp/1", false, false},
		{"/ip4/255.255.255.255/udp/1", false, false},
		{"/ip4/127.0.0.1/tcp/1", false, true},
		{"/ip6/::1/tcp/1", false, true},
		{"/ip4/10.1.2.3/tcp/1", false, true},
		{"/ip4/172.16.0.1/tcp/1", false, true},
		{"/ip4/192.168.1.1/tcp/1", false, true},
		{"/ip4/100.64.0.1/tcp/1", false, true},
		{"/ip6/fd00::1/tcp/1", false, true},
		{"/ip6/::ffff:127.0.0.1/tcp/1", false, true},
		{"/dns4/localhost/tcp/1", false, true},
		{"/dns/a.localhost./tcp/1", false, true},
		{"/ip4/10.0.0.1/tcp/1/p2p/16Uiu2HAmAUdrQ3uwzuE4Gy4D56hX6uLKEeerJAnhKEHZ3DxF1EfT/p2p-circuit", false, true},
	}
	for _, tt := range tests {
		a := multiaddr.StringCast(tt.addr)
		if got := remoteAddrAllowed(a, false); got != tt.public {
			t.Errorf("%s by default: %v, want %v", tt.addr, got, tt.public)
		}
		if got := remoteAddrAllowed(a, true); got != tt.private {
			t.Errorf("%s WithPrivateAddresses: %v, want %v", tt.addr, got, tt.private)
		}
	}
}

// A peer-exchange responder relays records whose addresses point into our
// own host and network: by default only the public one becomes a candidate,
// the others count as unusable.
func TestPeerExchangeDropsSpecialPurposeAddresses(t *testing.T) {
	relay := shardmesh.CapRelay
	var records []*enode.Node
	var public peer.ID
	for _, addr := range []string{"/ip4/169.254.169.254/tcp/80", "/ip4/10.0.0.1/tcp/60000", "/dns4/localhost/tcp/60000", "/ip4/203.0.113.7/tcp/60000"} {
		n, _ := record{cluster: 16, shards: []uint16{32}, caps: relay, multiaddr: []string{addr}}.node(t)
		records = append(records, n)
		if addr == "/ip4/203.0.113.7/tcp/60000" {
			c, err := CandidateFromNode(n, OriginPeerExchange)
			if err != nil {
				t.Fatal(err)
			}
			public = c.AddrInfo.ID
		}
	}
	loopback, _ := record{cluster: 16, shards: []uint16{32}, caps: relay, tcp: 60000}.node(t) // ip 127.0.0.1
	records = append(records, loopback)

	server := pxServer(t, records)
	h := newHost(t)
	connectIdentified(t, h, server)
	client, err := peerexchange.NewClient(h)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		opts     []Option
		found    int
		unusable uint64
	}{
		{nil, 1, 4},
		{[]Option{WithPrivateAddresses()}, 4, 1}, // the metadata address stays out
	} {
		src, err := NewPeerExchange(client, ConnectedResponders(h), tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := src.Find(context.Background(), Request{Cluster: 16, Shards: set(t, 32), N: 10})
		if err != nil {
			t.Fatal(err)
		}
		got := collect(ch)
		st := src.Stats()
		_ = src.Close()
		if len(got) != tt.found || st.Unusable != tt.unusable {
			t.Fatalf("options %d: %d candidates, %d unusable; want %d and %d", len(tt.opts), len(got), st.Unusable, tt.found, tt.unusable)
		}
		for _, c := range got {
			for _, a := range c.AddrInfo.Addrs {
				if !remoteAddrAllowed(a, len(tt.opts) > 0) {
					t.Fatalf("candidate %s kept %s", c.AddrInfo.ID, a)
				}
			}
		}
		if len(tt.opts) == 0 && got[0].AddrInfo.ID != public {
			t.Fatalf("kept %s, want the public record %s", got[0].AddrInfo.ID, public)
		}
	}
}
