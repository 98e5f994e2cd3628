package simhost_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestGossipDeliversEverywhere is the smoke test: 12 hosts with Waku
// GossipSub on a sparse random topology all receive one published message.
func TestGossipDeliversEverywhere(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const hosts = 12
		const topic = "/waku/2/rs/1/0"
		nw := simhost.NewT(t, hosts)
		if err := nw.ConnectRandom(t.Context(), 3, rand.New(rand.NewPCG(1, 2))); err != nil {
			t.Fatal(err)
		}
		subs := make([]<-chan []byte, hosts)
		var publish func([]byte) error
		for i, n := range nw.Nodes() {
			tp, err := n.PubSub.Join(topic)
			if err != nil {
				t.Fatal(err)
			}
			sub, err := tp.Subscribe()
			if err != nil {
				t.Fatal(err)
			}
			got := make(chan []byte, 1)
			subs[i] = got
			go func() {
				msg, err := sub.Next(context.Background())
				if err != nil {
					close(got)
					return
				}
				got <- msg.Data
			}()
			if i == 0 {
				publish = func(b []byte) error { return tp.Publish(t.Context(), b) }
			}
		}
		time.Sleep(3 * time.Second) // virtual: meshes form over a few heartbeats
		if err := publish([]byte("hello shard 0")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		for i, ch := range subs {
			select {
			case data := <-ch:
				if string(data) != "hello shard 0" {
					t.Errorf("host %d got %q", i, data)
				}
			default:
				t.Errorf("host %d did not receive the message", i)
			}
		}
		if err := nw.Close(); err != nil { // also ends the readers' Next
			t.Fatal(err)
		}
		synctest.Wait()
	})
}

func TestSharedIPAddresses(t *testing.T) {
	addr := simhost.SharedIP(3)
	cases := []struct {
		i    int
		ip   net.IP
		port int
	}{{0, addr(0).IP, simhost.DefaultPort}, {2, addr(0).IP, simhost.DefaultPort + 2}, {3, addr(3).IP, simhost.DefaultPort}}
	for _, c := range cases {
		got := addr(c.i)
		if !got.IP.Equal(c.ip) || got.Port != c.port {
			t.Errorf("SharedIP(3)(%d) = %v, want %v:%d", c.i, got, c.ip, c.port)
		}
	}
	if addr(0).IP.Equal(addr(3).IP) {
		t.Errorf("hosts 0 and 3 share an IP; want different groups")
	}
}

func TestRandomPairsDistinct(t *testing.T) {
	pairs := simhost.RandomPairs(20, 4, rand.New(rand.NewPCG(7, 7)))
	type key struct{ a, b int }
	seen := map[key]bool{}
	dials := make([]int, 20)
	for _, p := range pairs {
		if p.From == p.To {
			t.Fatalf("self pair %v", p)
		}
		k := key{min(p.From, p.To), max(p.From, p.To)}
		if seen[k] {
			t.Fatalf("duplicate pair %v", p)
		}
		seen[k] = true
		dials[p.From]++
	}
	for i, d := range dials {
		if d != 4 {
			t.Errorf("host %d dials %d peers, want 4", i, d)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	for name, opt := range map[string]simhost.Option{
		"zero link":     simhost.WithLink(0, 1),
		"negative lat":  simhost.WithLatency(-time.Second),
		"nil latency":   simhost.WithLatencyFunc(nil),
		"nil addresses": simhost.WithAddresses(nil),
		"nil pubsub":    simhost.WithPubsubOptions(nil),
		"nil node opts": simhost.WithNodePubsubOptions(nil),
		"nil host":      simhost.WithHostOptions(nil),
		"nil logger":    simhost.WithLogger(nil),
		"nil pubsub on": simhost.WithPubsubOnly(nil),
	} {
		if _, err := simhost.New(0, opt); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
}

// TestSharedIPHostsConnect puts two hosts behind each IP and checks that
// peers see the shared address on the connection, as a Sybil test needs.
func TestSharedIPHostsConnect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 4, simhost.WithAddresses(simhost.SharedIP(2)), simhost.WithoutPubsub())
		if err := nw.ConnectAll(t.Context()); err != nil {
			t.Fatal(err)
		}
		h3 := nw.Node(3).Host
		ips := map[string]int{}
		for _, c := range h3.Network().Conns() {
			ip, err := c.RemoteMultiaddr().ValueForProtocol(4) // P_IP4
			if err != nil {
				t.Fatal(err)
			}
			ips[ip]++
		}
		want := simhost.SharedIP(2)(0).IP.String()
		if ips[want] != 2 || len(ips) != 2 {
			t.Errorf("host 3 sees remote IPs %v, want two connections from %s and one from host 2's IP", ips, want)
		}
	})
}

func TestPubsubOnlyOnChosenHosts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 3, simhost.WithPubsubOnly(func(i int) bool { return i != 1 }))
		for i, want := range []bool{true, false, true} {
			if got := nw.Node(i).PubSub != nil; got != want {
				t.Errorf("host %d runs gossipsub: %v, want %v", i, got, want)
			}
		}
	})
}

func TestWithIdentity(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		keys := make([]crypto.PrivKey, 2)
		for i := range keys {
			k, _, err := crypto.GenerateSecp256k1Key(rand.NewChaCha8([32]byte{byte(i)}))
			if err != nil {
				t.Fatal(err)
			}
			keys[i] = k
		}
		nw := simhost.NewT(t, 2, simhost.WithoutPubsub(), simhost.WithIdentity(func(i int) (crypto.PrivKey, error) { return keys[i], nil }))
		for i, n := range nw.Nodes() {
			if want, _ := peer.IDFromPrivateKey(keys[i]); n.ID() != want {
				t.Fatalf("host %d has id %v, want %v", i, n.ID(), want)
			}
		}
		if _, err := simhost.New(1, simhost.WithIdentity(nil)); !errors.Is(err, simhost.ErrInvalidOption) {
			t.Fatalf("nil identity function: %v", err)
		}
		boom := errors.New("no key")
		if _, err := simhost.New(1, simhost.WithIdentity(func(int) (crypto.PrivKey, error) { return nil, boom })); !errors.Is(err, boom) {
			t.Fatalf("failing identity function: %v", err)
		}
	})
}
