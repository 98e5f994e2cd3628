package simhost_test

import (
	"errors"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ethereum/go-ethereum/p2p/discover"

	"github.com/wakupm/wakupm/internal/simhost"
)

// A UDPConn is what go-ethereum's discv5 listener reads and writes.
var _ discover.UDPConn = (*simhost.UDPConn)(nil)

func listenUDP(t *testing.T, nw *simhost.Network, i, port int) *simhost.UDPConn {
	t.Helper()
	c, err := nw.ListenUDP(i, port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestUDPConnCarriesDatagramsWithTheNetworksLatency sends one datagram each
// way between two hosts' UDP sockets and checks the payload, the sender's
// address and the one-way delay (the network's latency plus serialization).
func TestUDPConnCarriesDatagramsWithTheNetworksLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = 25 * time.Millisecond
		nw := simhost.NewT(t, 2, simhost.WithoutPubsub(), simhost.WithLatency(latency))
		a, b := listenUDP(t, nw, 0, 9000), listenUDP(t, nw, 1, 9000)
		if a.AddrPort().Addr() == b.AddrPort().Addr() || !a.AddrPort().Addr().Is4() {
			t.Fatalf("want two distinct IPv4 hosts, got %v and %v", a.AddrPort(), b.AddrPort())
		}
		if got := a.LocalAddr().(*net.UDPAddr).AddrPort(); got != a.AddrPort() {
			t.Fatalf("LocalAddr %v, AddrPort %v", got, a.AddrPort())
		}
		for _, dir := range []struct{ from, to *simhost.UDPConn }{{a, b}, {b, a}} {
			start := time.Now()
			msg := []byte("ping " + dir.from.AddrPort().String())
			if n, err := dir.from.WriteToUDPAddrPort(msg, dir.to.AddrPort()); err != nil || n != len(msg) {
				t.Fatalf("write: %d, %v", n, err)
			}
			buf := make([]byte, 1280)
			n, from, err := dir.to.ReadFromUDPAddrPort(buf)
			if err != nil {
				t.Fatal(err)
			}
			if string(buf[:n]) != string(msg) || from != dir.from.AddrPort() {
				t.Fatalf("got %q from %v, want %q from %v", buf[:n], from, msg, dir.from.AddrPort())
			}
			if took := time.Since(start); took < latency || took > latency+time.Millisecond {
				t.Fatalf("one-way delay %v, want %v plus serialization", took, latency)
			}
		}
		if st := a.Stats(); st.PacketsSent != 1 || st.PacketsRcvd != 1 {
			t.Fatalf("stats %+v, want one datagram each way", st)
		}
	})
}

func TestUDPConnAddresses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 2, simhost.WithoutPubsub(), simhost.WithAddresses(simhost.SharedIP(2)))
		if _, err := nw.ListenUDP(0, simhost.DefaultPort); !errors.Is(err, simhost.ErrAddrInUse) {
			t.Fatalf("host 0's own QUIC port: %v, want ErrAddrInUse", err)
		}
		if _, err := nw.ListenUDP(0, simhost.DefaultPort+1); !errors.Is(err, simhost.ErrAddrInUse) {
			t.Fatalf("host 1's QUIC port on the shared IP: %v, want ErrAddrInUse", err)
		}
		c := listenUDP(t, nw, 1, 9000)
		if _, err := nw.ListenUDP(0, 9000); !errors.Is(err, simhost.ErrAddrInUse) {
			t.Fatalf("a port taken on the shared IP: %v, want ErrAddrInUse", err)
		}
		for _, bad := range []struct{ host, port int }{{2, 9000}, {-1, 9000}, {0, 0}, {0, 70000}} {
			if _, err := nw.ListenUDP(bad.host, bad.port); err == nil {
				t.Fatalf("ListenUDP(%d, %d) succeeded", bad.host, bad.port)
			}
		}

		// Closing frees the address; a blocked read ends with net.ErrClosed.
		readErr := make(chan error, 1)
		go func() {
			_, _, err := c.ReadFromUDPAddrPort(make([]byte, 10))
			readErr <- err
		}()
		synctest.Wait()
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-readErr; !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read on a closed conn: %v, want net.ErrClosed", err)
		}
		if _, err := c.WriteToUDPAddrPort([]byte("x"), c.AddrPort()); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("write on a closed conn: %v, want net.ErrClosed", err)
		}
		listenUDP(t, nw, 0, 9000)

		if err := nw.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := nw.ListenUDP(1, 9001); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("closed network: %v, want net.ErrClosed", err)
		}
	})
}
