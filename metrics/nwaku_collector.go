package metrics

import (
	"slices"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wakupm/wakupm/protocols"
)

// NwakuHost is what an NwakuCollector reads at each scrape: the libp2p
// host's connections, streams and peer store. A host.Host implements it.
type NwakuHost interface {
	ID() peer.ID
	Network() network.Network
	Peerstore() peerstore.Peerstore
}

var _ prometheus.Collector = (*NwakuCollector)(nil)

// NwakuCollector exports, under nwaku's names and labels, the connection
// series whose meaning wakupm shares, so that the fleet dashboards operators
// already have plot a wakupm node. Each was checked at its source: nwaku
// waku/node/peer_manager/peer_manager.nim (the declarations at the top, the
// gauges set in logAndMetrics, the counters in connectPeer) and go-waku
// waku/v2/node/metrics.go.
//
//	waku_connected_peers{direction,protocol} gauge: connected peers that support protocol (peer store,
//	                                         from identify), by the direction of their first connection,
//	                                         "In" or "Out" (nim-libp2p's Direction names, as nwaku)
//	waku_streams_peers{direction,protocol}   gauge: open streams of protocol by direction
//	waku_peer_store_size                     gauge: peers with addresses in the peer store (nwaku: the
//	                                         address book's size; go-waku: the peer store's)
//	waku_peers_dials{outcome}                counter: the relay policy's dials, outcome "successful",
//	                                         "failed" or "timed out" (WithNwakuRelaySource only)
//	waku_node_conns_initiated{source}        counter: connections the relay policy dialled that opened,
//	                                         source "relay_policy" (WithNwakuRelaySource only)
//
// Differences kept on purpose: go-waku's waku_connected_peers and
// waku_peers_dials have no labels; nwaku's labelled form is used, and sum()
// over the labels gives go-waku's value. nwaku's waku_peers_dials outcome
// is "successful" or the failure's message; here a failure is "failed", or
// "timed out" (nwaku's own value) for a dial the shell never reported on.
// nwaku's source of waku_node_conns_initiated is the caller ("api" by
// default). nwaku's waku_peers_errors{type} is not exported: it counts
// failures of nwaku's persistent peer storage (storage_failure,
// storage_load_failure), which wakupm does not have.
type NwakuCollector struct {
	h         NwakuHost
	relay     RelaySource
	protocols []protocol.ID

	connected, streams, storeSize, dials, initiated *prometheus.Desc
}

// NwakuCollectorOption configures an NwakuCollector.
type NwakuCollectorOption func(*NwakuCollector) error

// WithNwakuRelaySource adds the dial series, read from the relay policy's
// snapshot (the node's *peermanager.Manager).
func WithNwakuRelaySource(src RelaySource) NwakuCollectorOption {
	return func(c *NwakuCollector) error {
		if src == nil {
			return &OptionError{Option: "WithNwakuRelaySource", Reason: "nil source"}
		}
		c.relay = src
		return nil
	}
}

// WithNwakuProtocols sets the protocols waku_connected_peers and
// waku_streams_peers report (default: DefaultNwakuProtocols).
func WithNwakuProtocols(ids ...string) NwakuCollectorOption {
	return func(c *NwakuCollector) error {
		if len(ids) == 0 || slices.Contains(ids, "") {
			return &OptionError{Option: "WithNwakuProtocols", Reason: "want at least one protocol id, none empty"}
		}
		c.protocols = c.protocols[:0]
		for _, id := range ids {
			c.protocols = append(c.protocols, protocol.ID(id))
		}
		return nil
	}
}

// DefaultNwakuProtocols are the Waku protocols reported by default: what
// nwaku reports is every Waku protocol its peer store has seen.
func DefaultNwakuProtocols() []string {
	return []string{protocols.Relay, protocols.FilterSubscribe, protocols.LightPush, protocols.LightPushLegacy,
		protocols.Store, protocols.PeerExchange, protocols.Metadata}
}

// NewNwakuCollector returns a collector reading h (the node's host).
func NewNwakuCollector(h NwakuHost, opts ...NwakuCollectorOption) (*NwakuCollector, error) {
	if h == nil {
		return nil, &OptionError{Option: "host", Reason: "nil host"}
	}
	c := &NwakuCollector{h: h}
	for _, id := range DefaultNwakuProtocols() {
		c.protocols = append(c.protocols, protocol.ID(id))
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	dirProto := []string{"direction", "protocol"}
	c.connected = prometheus.NewDesc("waku_connected_peers", "Number of physical connections per direction and protocol (nwaku's series).", dirProto, nil)
	c.streams = prometheus.NewDesc("waku_streams_peers", "Number of streams per direction and protocol (nwaku's series).", dirProto, nil)
	c.storeSize = prometheus.NewDesc("waku_peer_store_size", "Number of peers managed by the peer store (nwaku's series).", nil, nil)
	c.dials = prometheus.NewDesc("waku_peers_dials", "Number of peer dials by the relay policy (nwaku's series).", []string{"outcome"}, nil)
	c.initiated = prometheus.NewDesc("waku_node_conns_initiated", "Number of connections initiated (nwaku's series).", []string{"source"}, nil)
	return c, nil
}

// Describe sends the descriptors of every series the collector can export.
func (c *NwakuCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.connected
	ch <- c.streams
	ch <- c.storeSize
	if c.relay != nil {
		ch <- c.dials
		ch <- c.initiated
	}
}

// nwakuDirection is nim-libp2p's Direction name, the label value nwaku
// writes ($Direction.In, $Direction.Out).
func nwakuDirection(d network.Direction) int {
	if d == network.DirInbound {
		return 0
	}
	return 1
}

var nwakuDirections = [2]string{"In", "Out"}

// Collect reads the host (and the relay policy) once.
func (c *NwakuCollector) Collect(ch chan<- prometheus.Metric) {
	net, ps := c.h.Network(), c.h.Peerstore()
	peers := make([][2]int, len(c.protocols))
	streams := make([][2]int, len(c.protocols))
	for _, id := range net.Peers() {
		conns := net.ConnsToPeer(id)
		if len(conns) == 0 {
			continue
		}
		dir := nwakuDirection(conns[0].Stat().Direction)
		if supported, err := ps.SupportsProtocols(id, c.protocols...); err == nil {
			for i, p := range c.protocols {
				if slices.Contains(supported, p) {
					peers[i][dir]++
				}
			}
		}
		for _, conn := range conns {
			for _, s := range conn.GetStreams() {
				if i := slices.Index(c.protocols, s.Protocol()); i >= 0 {
					streams[i][nwakuDirection(s.Stat().Direction)]++
				}
			}
		}
	}
	for i, p := range c.protocols {
		for d, name := range nwakuDirections {
			ch <- prometheus.MustNewConstMetric(c.connected, prometheus.GaugeValue, float64(peers[i][d]), name, string(p))
			ch <- prometheus.MustNewConstMetric(c.streams, prometheus.GaugeValue, float64(streams[i][d]), name, string(p))
		}
	}
	stored := 0
	for _, id := range ps.PeersWithAddrs() {
		if id != c.h.ID() {
			stored++
		}
	}
	ch <- prometheus.MustNewConstMetric(c.storeSize, prometheus.GaugeValue, float64(stored))
	if c.relay == nil {
		return
	}
	st := c.relay.Snapshot().Stats
	ch <- prometheus.MustNewConstMetric(c.dials, prometheus.CounterValue, float64(st.DialsSucceeded), "successful")
	ch <- prometheus.MustNewConstMetric(c.dials, prometheus.CounterValue, float64(st.DialsFailed), "failed")
	ch <- prometheus.MustNewConstMetric(c.dials, prometheus.CounterValue, float64(st.DialsExpired), "timed out")
	ch <- prometheus.MustNewConstMetric(c.initiated, prometheus.CounterValue, float64(st.DialsSucceeded), "relay_policy")
}
