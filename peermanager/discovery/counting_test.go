package discovery

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p/discover"
	"github.com/ethereum/go-ethereum/p2p/enode"
)

// countedListener starts a real discv5 listener on 127.0.0.1 whose socket
// is wrapped in a CountingConn.
func countedListener(t *testing.T, boot ...*enode.Node) (*discover.UDPv5, *CountingConn) {
	t.Helper()
	key := newKey(t)
	db, err := enode.OpenDB("")
	if err != nil {
		t.Fatal(err)
	}
	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	conn := NewCountingConn(udp)
	ln := enode.NewLocalNode(db, key)
	ln.SetStaticIP(net.IPv4(127, 0, 0, 1))
	// The fallback port, so that a PONG's endpoint prediction keeps it.
	ln.SetFallbackUDP(udp.LocalAddr().(*net.UDPAddr).Port)
	l, err := ListenV5(conn, ln, key, discover.Config{Bootnodes: boot})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		l.Close()
		db.Close()
	})
	return l, conn
}

// TestCountingConnMatchesTheWire: two real discv5 listeners on loopback talk
// only to each other, so every datagram one socket sent is one the other
// received. The counts must then agree across the pair: A's bytes out are
// B's bytes in, and the reverse, datagram for datagram.
func TestCountingConnMatchesTheWire(t *testing.T) {
	a, ca := countedListener(t)
	b, cb := countedListener(t, a.Self())
	if _, err := b.Ping(a.Self()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Ping(b.Self()); err != nil {
		t.Fatal(err)
	}
	b.Lookup(enode.ID{1})
	// Traffic goes on in the background (table revalidation); wait for a
	// moment where nothing is in flight, when the two sides must agree.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ta, tb := ca.Traffic(), cb.Traffic()
		if ta.BytesOut == tb.BytesIn && tb.BytesOut == ta.BytesIn &&
			ta.PacketsOut == tb.PacketsIn && tb.PacketsOut == ta.PacketsIn {
			if ta.PacketsOut < 3 || tb.PacketsOut < 3 || ta.BytesOut < 200 {
				t.Fatalf("too little traffic counted: a %+v b %+v", ta, tb)
			}
			t.Logf("a %+v; b %+v", ta, tb)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("counts never agreed: a %+v b %+v", ta, tb)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// nullConn is a socket that accepts every write and reads nothing.
type nullConn struct{}

func (nullConn) ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error) {
	return 0, netip.AddrPort{}, nil
}
func (nullConn) WriteToUDPAddrPort(b []byte, _ netip.AddrPort) (int, error) {
	return len(b), nil
}
func (nullConn) Close() error        { return nil }
func (nullConn) LocalAddr() net.Addr { return &net.UDPAddr{} }

// BenchmarkCountingConnWrite: the cost counting adds to each datagram.
func BenchmarkCountingConnWrite(b *testing.B) {
	c := NewCountingConn(nullConn{})
	pkt := make([]byte, 1280)
	to := netip.MustParseAddrPort("127.0.0.1:9000")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.WriteToUDPAddrPort(pkt, to); err != nil {
			b.Fatal(err)
		}
	}
}
