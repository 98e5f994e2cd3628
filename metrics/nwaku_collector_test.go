package metrics

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/protocols"
)

func loopbackHost(t *testing.T) host.Host {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// TestNwakuCollector connects two loopback hosts, B serving Waku relay, A
// dialling B and opening a relay stream, and checks nwaku's series on both
// sides: A sees one outbound peer supporting relay and one outbound relay
// stream, B one inbound stream; each peer store holds the other.
func TestNwakuCollector(t *testing.T) {
	a, b := loopbackHost(t), loopbackHost(t)
	b.SetStreamHandler(protocols.Relay, func(s network.Stream) { _ = s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
		t.Fatal(err)
	}
	s, err := a.NewStream(ctx, b.ID(), protocols.Relay) // negotiated after identify: A knows B supports relay
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	core, err := relay.NewCore(relay.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ca, err := NewNwakuCollector(a, WithNwakuRelaySource(core))
	if err != nil {
		t.Fatal(err)
	}
	want := `
# HELP waku_peer_store_size Number of peers managed by the peer store (nwaku's series).
# TYPE waku_peer_store_size gauge
waku_peer_store_size 1
# HELP waku_peers_dials Number of peer dials by the relay policy (nwaku's series).
# TYPE waku_peers_dials counter
waku_peers_dials{outcome="failed"} 0
waku_peers_dials{outcome="successful"} 0
waku_peers_dials{outcome="timed out"} 0
# HELP waku_node_conns_initiated Number of connections initiated (nwaku's series).
# TYPE waku_node_conns_initiated counter
waku_node_conns_initiated{source="relay_policy"} 0
`
	if err := testutil.CollectAndCompare(ca, strings.NewReader(want), "waku_peer_store_size", "waku_peers_dials", "waku_node_conns_initiated"); err != nil {
		t.Error(err)
	}
	if got := gaugeValue(t, ca, "waku_connected_peers", "Out", protocols.Relay); got != 1 {
		t.Errorf("A: waku_connected_peers{Out,relay} = %v, want 1", got)
	}
	if got := gaugeValue(t, ca, "waku_streams_peers", "Out", protocols.Relay); got != 1 {
		t.Errorf("A: waku_streams_peers{Out,relay} = %v, want 1", got)
	}
	cb, err := NewNwakuCollector(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := gaugeValue(t, cb, "waku_connected_peers", "In", protocols.Relay); got != 0 {
		t.Errorf("B: waku_connected_peers{In,relay} = %v, want 0 (A serves no relay)", got)
	}
	if n := testutil.CollectAndCount(cb, "waku_peers_dials"); n != 0 {
		t.Errorf("B without a relay source exports %d waku_peers_dials series", n)
	}
	if _, err := NewNwakuCollector(nil); err == nil {
		t.Error("NewNwakuCollector(nil) succeeded")
	}
	if _, err := NewNwakuCollector(a, WithNwakuProtocols()); err == nil {
		t.Error("WithNwakuProtocols() with no protocol accepted")
	}
}

// gaugeValue gathers c and returns the value of name{direction, protocol}.
func gaugeValue(t *testing.T, c prometheus.Collector, name, direction, protocol string) float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["direction"] == direction && labels["protocol"] == protocol {
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no %s{direction=%q,protocol=%q}", name, direction, protocol)
	return 0
}
