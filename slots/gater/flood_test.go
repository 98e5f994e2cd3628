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
		r := newFloodRig(t)
		r.connectRelayPeers()
		results := r.subscribeAllAtOnce()
		floodOK := r.checkFloodResults(results)
		// After the grace period: flooders without a slot are gone, relay
		// peers and every client holding a slot are still connected.
		time.Sleep(floodGrace + 2*time.Second)
		r.checkAfterGrace(floodOK)
	})
}

// floodGrace is how long the gater lets a peer without a slot stay.
const floodGrace = 10 * time.Second

// floodRig is the network of TestFloodRealHosts: host floodServer is gated
// by g with a small budget and records who got a filter slot.
type floodRig struct {
	t      *testing.T
	g      *gater.Gater
	nw     *simhost.Network
	server *simhost.Node

	mu      sync.Mutex
	leases  map[peer.ID]slots.Lease
	refused map[uint32]int // rejections by status code
}

// floodResult is what one client saw of its subscription.
type floodResult struct {
	code uint32
	err  error
}

func newFloodRig(t *testing.T) *floodRig {
	budget, err := slots.NewBudget(30, slots.WithReserved(slots.Reserved{Filter: 16, LightPush: 2}))
	if err != nil {
		t.Fatal(err)
	}
	g, err := gater.New(budget, gater.WithGrace(floodGrace))
	if err != nil {
		t.Fatal(err)
	}
	r := &floodRig{t: t, g: g, leases: map[peer.ID]slots.Lease{}, refused: map[uint32]int{}}
	r.nw = gatedNet(t, g, floodHostCount, floodRelays, floodAddr) // gates host 0, floodServer
	r.server = r.nw.Node(floodServer)
	r.server.Host.SetStreamHandler(protocols.FilterSubscribe, g.Handler(
		func(s network.Stream, l slots.Lease) {
			r.mu.Lock()
			r.leases[s.Conn().RemotePeer()] = l
			r.mu.Unlock()
			writeStatus(s, 200)
		},
		func(s network.Stream, rej *slots.Rejection) {
			r.mu.Lock()
			r.refused[rej.StatusCode()]++
			r.mu.Unlock()
			writeStatus(s, rej.StatusCode())
		},
	))
	return r
}

// connectRelayPeers: relay peers first, two inbound, two outbound.
func (r *floodRig) connectRelayPeers() {
	t := r.t
	if err := r.nw.ConnectPairs(t.Context(), []simhost.Pair{{From: 1, To: 0}, {From: 2, To: 0}, {From: 0, To: 3}, {From: 0, To: 4}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // identify marks them as relay peers
	for i := 1; i <= floodRelays; i++ {
		want := slots.ClassRelay
		if i > 2 {
			want = slots.ClassOutbound
		}
		if c := r.g.Class(r.nw.Node(i).ID()); c != want {
			t.Fatalf("relay peer %d classed %s, want %s", i, c, want)
		}
	}
}

// subscribeAllAtOnce is the flood: everybody at once, legitimate clients
// spread among the flooders. It returns what each host saw, by index.
func (r *floodRig) subscribeAllAtOnce() []floodResult {
	ctx := r.t.Context()
	serverInfo := r.server.AddrInfo()
	results := make([]floodResult, floodHostCount)
	var wg sync.WaitGroup
	for i := firstLegit; i < floodHostCount; i++ {
		wg.Go(func() {
			cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
			defer ccancel()
			code, err := subscribe(cctx, r.nw.Node(i), serverInfo)
			results[i] = floodResult{code, err}
		})
	}
	wg.Wait()
	return results
}

// checkFloodResults checks that every legitimate client got a slot and the
// flooders at most MaxPerPrefix per address, and returns how many flooders
// got one.
func (r *floodRig) checkFloodResults(results []floodResult) (floodOK int) {
	t := r.t
	for i := firstLegit; i < firstFlooder; i++ {
		if res := results[i]; res.err != nil || res.code != 200 {
			t.Errorf("legitimate client %d: status %d, err %v", i, res.code, res.err)
		}
	}
	var flood429, floodGated int
	for i := firstFlooder; i < floodHostCount; i++ {
		switch res := results[i]; {
		case res.err != nil:
			floodGated++
		case res.code == 200:
			floodOK++
		case res.code == slots.StatusTooManyRequests:
			flood429++
		default:
			t.Errorf("flooder %d: unexpected status %d", i, res.code)
		}
	}
	filter := r.g.Pool(slots.Filter)
	// Each flooder address is one /24: at most MaxPerPrefix slots each.
	if maxOK := 2 * filter.MaxPerPrefix(); floodOK > maxOK {
		t.Errorf("flooders took %d slots, at most %d allowed", floodOK, maxOK)
	}
	if flood429 == 0 || flood429+floodGated+floodOK != floodFlooders {
		t.Errorf("flooders: %d ok, %d got 429, %d refused at connection level", floodOK, flood429, floodGated)
	}
	st := r.g.Stats(time.Now())
	if st.Pools[slots.Filter].Rejected[slots.ReasonPrefixLimit] != uint64(flood429) {
		t.Errorf("pool counted %d prefix rejections, flooders saw %d", st.Pools[slots.Filter].Rejected[slots.ReasonPrefixLimit], flood429)
	}
	t.Logf("flooders: %d admitted, %d rejected with 429, %d refused at connection level; ledger refusals %v",
		floodOK, flood429, floodGated, st.Ledger.Refused)
	return floodOK
}

// checkAfterGrace: relay peers and slot holders are still connected, no
// flooder without a slot is, and the ledger agrees.
func (r *floodRig) checkAfterGrace(floodOK int) {
	t, nw := r.t, r.nw
	net := r.server.Host.Network()
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
		r.mu.Lock()
		_, leased := r.leases[id]
		r.mu.Unlock()
		if connected {
			stillFlooding++
		}
		if connected && !leased {
			t.Errorf("flooder %d without a slot still connected after the grace period (class %s)", i, r.g.Class(id))
		}
	}
	st := r.g.Stats(time.Now())
	if in := st.Pools[slots.Filter].InUse; in != floodLegit+floodOK {
		t.Errorf("filter slots in use %d, want %d legitimate + %d flooders", in, floodLegit, floodOK)
	}
	if st.Ledger.Peers[slots.ClassRelay] != 2 || st.Ledger.Peers[slots.ClassOutbound] != 2 {
		t.Errorf("relay peers by class: %v", st.Ledger.Peers)
	}
	t.Logf("after grace: %d flooders connected (all holding slots), ledger peers %v, refusals %v",
		stillFlooding, st.Ledger.Peers, st.Ledger.Refused)
}
