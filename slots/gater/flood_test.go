package gater_test

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/marcopolo/simnet"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/protocols"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// Host layout of the flood test.
const (
	floodServer    = 0
	floodRelays    = 4 // hosts 1..4; 1-2 dial the server, the server dials 3-4
	floodLegit     = 10
	floodFlooders  = 200
	firstLegit     = 1 + floodRelays
	firstFlooder   = firstLegit + floodLegit
	floodHostCount = firstFlooder + floodFlooders
)

// floodAddr gives the server, relay peers and legitimate clients an address
// each in its own /24, and puts the flooders on two addresses (two /24s),
// 100 hosts each on distinct ports.
func floodAddr(i int) *net.UDPAddr {
	if i < firstFlooder {
		return &net.UDPAddr{IP: simnet.IntToPublicIPv4(i << 8), Port: simhost.DefaultPort}
	}
	k := i - firstFlooder
	return &net.UDPAddr{IP: simnet.IntToPublicIPv4((1000 + k%2) << 8), Port: simhost.DefaultPort + k/2}
}

// writeStatus is the test's stand-in for a filter response: a 4-byte status.
func writeStatus(s network.Stream, code uint32) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], code)
	_, _ = s.Write(b[:])
	_ = s.Close()
}

// subscribe opens a filter-subscribe stream and returns the status the
// server answers, or an error when the connection or stream was refused.
func subscribe(ctx context.Context, n *simhost.Node, server peer.AddrInfo) (uint32, error) {
	if err := n.Host.Connect(ctx, server); err != nil {
		return 0, err
	}
	s, err := n.Host.NewStream(ctx, server.ID, protocols.FilterSubscribe)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	if _, err := s.Write([]byte{1}); err != nil {
		return 0, err
	}
	var b [4]byte
	if _, err := io.ReadFull(s, b[:]); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b[:]), nil
}

// TestFloodRealHosts: a server with a small budget; 200 client hosts from
// two IPs try to take filter slots while 10 legitimate clients from
// distinct IPs connect too. Every legitimate client gets a slot, the relay
// peers keep their connections, the flooders get the typed rejection (429
// on the stream) or are refused at connection level, and flooders without a
// slot are closed after the grace period.
func TestFloodRealHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 215 hosts")
	}
	synctest.Test(t, func(t *testing.T) {
		budget, err := slots.NewBudget(30, slots.WithReserved(slots.Reserved{Filter: 16, LightPush: 2}))
		if err != nil {
			t.Fatal(err)
		}
		const grace = 10 * time.Second
		g, err := gater.New(budget, gater.WithGrace(grace))
		if err != nil {
			t.Fatal(err)
		}
		nw := gatedNet(t, g, floodHostCount, floodRelays, floodAddr) // gates host 0, floodServer
		server := nw.Node(floodServer)
		ctx := t.Context()

		var (
			mu      sync.Mutex
			leases  = map[peer.ID]slots.Lease{}
			refused = map[uint32]int{}
		)
		server.Host.SetStreamHandler(protocols.FilterSubscribe, g.Handler(
			func(s network.Stream, l slots.Lease) {
				mu.Lock()
				leases[s.Conn().RemotePeer()] = l
				mu.Unlock()
				writeStatus(s, 200)
			},
			func(s network.Stream, rej *slots.Rejection) {
				mu.Lock()
				refused[rej.StatusCode()]++
				mu.Unlock()
				writeStatus(s, rej.StatusCode())
			},
		))

		// Relay peers first: two inbound, two outbound.
		if err := nw.ConnectPairs(ctx, []simhost.Pair{{From: 1, To: 0}, {From: 2, To: 0}, {From: 0, To: 3}, {From: 0, To: 4}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second) // identify marks them as relay peers
		for i := 1; i <= floodRelays; i++ {
			want := slots.ClassRelay
			if i > 2 {
				want = slots.ClassOutbound
			}
			if c := g.Class(nw.Node(i).ID()); c != want {
				t.Fatalf("relay peer %d classed %s, want %s", i, c, want)
			}
		}

		// The flood: everybody at once, legitimate clients spread among
		// the flooders.
		serverInfo := server.AddrInfo()
		type result struct {
			code uint32
			err  error
		}
		results := make([]result, floodHostCount)
		var wg sync.WaitGroup
		for i := firstLegit; i < floodHostCount; i++ {
			wg.Go(func() {
				cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
				defer ccancel()
				code, err := subscribe(cctx, nw.Node(i), serverInfo)
				results[i] = result{code, err}
			})
		}
		wg.Wait()

		for i := firstLegit; i < firstFlooder; i++ {
			if r := results[i]; r.err != nil || r.code != 200 {
				t.Errorf("legitimate client %d: status %d, err %v", i, r.code, r.err)
			}
		}
		var floodOK, flood429, floodGated int
		for i := firstFlooder; i < floodHostCount; i++ {
			switch r := results[i]; {
			case r.err != nil:
				floodGated++
			case r.code == 200:
				floodOK++
			case r.code == slots.StatusTooManyRequests:
				flood429++
			default:
				t.Errorf("flooder %d: unexpected status %d", i, r.code)
			}
		}
		filter := g.Pool(slots.Filter)
		// Each flooder address is one /24: at most MaxPerPrefix slots each.
		if maxOK := 2 * filter.MaxPerPrefix(); floodOK > maxOK {
			t.Errorf("flooders took %d slots, at most %d allowed", floodOK, maxOK)
		}
		if flood429 == 0 || flood429+floodGated+floodOK != floodFlooders {
			t.Errorf("flooders: %d ok, %d got 429, %d refused at connection level", floodOK, flood429, floodGated)
		}
		st := g.Stats(time.Now())
		if st.Pools[slots.Filter].Rejected[slots.ReasonPrefixLimit] != uint64(flood429) {
			t.Errorf("pool counted %d prefix rejections, flooders saw %d", st.Pools[slots.Filter].Rejected[slots.ReasonPrefixLimit], flood429)
		}
		t.Logf("flooders: %d admitted, %d rejected with 429, %d refused at connection level; ledger refusals %v",
			floodOK, flood429, floodGated, st.Ledger.Refused)

		// After the grace period: flooders without a slot are gone, relay
		// peers and every client holding a slot are still connected.
		time.Sleep(grace + 2*time.Second)
		net := server.Host.Network()
		for i := 1; i <= floodRelays; i++ {
			if net.Connectedness(nw.Node(i).ID()) != network.Connected {
				t.Errorf("relay peer %d lost its connection", i)
			}
		}
		for i := firstLegit; i < firstFlooder; i++ {
			if net.Connectedness(nw.Node(i).ID()) != network.Connected {
				t.Errorf("legitimate client %d lost its connection", i)
			}
		}
		stillFlooding := 0
		for i := firstFlooder; i < floodHostCount; i++ {
			id := nw.Node(i).ID()
			connected := net.Connectedness(id) == network.Connected
			mu.Lock()
			_, leased := leases[id]
			mu.Unlock()
			if connected {
				stillFlooding++
			}
			if connected && !leased {
				t.Errorf("flooder %d without a slot still connected after the grace period (class %s)", i, g.Class(id))
			}
		}
		st = g.Stats(time.Now())
		if in := st.Pools[slots.Filter].InUse; in != floodLegit+floodOK {
			t.Errorf("filter slots in use %d, want %d legitimate + %d flooders", in, floodLegit, floodOK)
		}
		if st.Ledger.Peers[slots.ClassRelay] != 2 || st.Ledger.Peers[slots.ClassOutbound] != 2 {
			t.Errorf("relay peers by class: %v", st.Ledger.Peers)
		}
		t.Logf("after grace: %d flooders connected (all holding slots), ledger peers %v, refusals %v",
			stillFlooding, st.Ledger.Peers, st.Ledger.Refused)
	})
}
