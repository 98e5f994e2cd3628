package telemetry_test

import (
	"fmt"
	"net"
	"time"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/metrics/telemetry"
	"github.com/wakupm/wakupm/peermanager/discovery"
)

// A report of a node's discovery and application traffic. A real node
// passes every source it has and lets a Reporter send the reports; here a
// Builder shows what one report holds.
func Example() {
	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		panic(err)
	}
	disc := discovery.NewCountingConn(udp) // what discv5 would listen on
	defer disc.Close()
	app := metrics.NewAppTraffic()
	app.Counter("eth-rpc").AddOut(300)

	start := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	b := telemetry.NewBuilder(telemetry.Record{NodeName: "example", PeerID: telemetry.HashPeerID("16Uiu2HAm...")},
		telemetry.Sources{
			Discovery: func() telemetry.UDPTraffic { return telemetry.UDPTraffic(disc.Traffic()) },
			App:       app.Snapshot,
		}, start)
	items, err := b.Build(start.Add(time.Minute))
	if err != nil {
		panic(err)
	}
	for _, it := range items {
		fmt.Printf("%d %s %s\n", it.ID, it.Type, it.Data)
	}
	// Output:
	// 1 WakupmDiscoveryBytes {"nodeName":"example","peerId":"2257c5432dd132c678b9b4b63cd36a68","statusVersion":"","deviceType":"","version":1,"timestamp":1796299260,"intervalSeconds":60,"bytesIn":0,"bytesOut":0,"packetsIn":0,"packetsOut":0}
	// 2 WakupmAppBytes {"nodeName":"example","peerId":"2257c5432dd132c678b9b4b63cd36a68","statusVersion":"","deviceType":"","version":1,"timestamp":1796299260,"intervalSeconds":60,"rows":[{"name":"eth-rpc","bytesIn":0,"bytesOut":300}]}
}
