package simhost

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/marcopolo/simnet"
)

// UDPConn is a plain datagram socket of one simulated host, next to its QUIC
// listener: same IP, its own port. Its method set is go-ethereum's
// p2p/discover.UDPConn, so a discv5 listener (discover.ListenV5) runs on the
// simulated network unchanged.
//
// Its packets take the network's latency function like every other packet;
// it gets its own up- and downlink with the host's link rates (simnet shapes
// per endpoint), so discovery traffic does not queue behind the host's QUIC
// traffic.
//
// The simulated socket applies back-pressure: a datagram that arrives while
// 32 are waiting to be read holds up the whole simulated network until it is
// read. Whoever owns the conn must keep reading it or close it (a discv5
// listener does both: it reads until its Close, which closes the conn).
type UDPConn struct {
	sim  *simnet.SimConn
	addr netip.AddrPort
	nw   *Network

	closeOnce sync.Once
}

// ListenUDP opens a datagram socket on host i's IP at port. It fails if the
// address is taken (host i's QUIC port, or an open UDPConn) or the network
// is closed. Several hosts sharing an IP (SharedIP) need distinct ports.
// The caller closes the conn; Network.Close also ends its reads and writes.
func (nw *Network) ListenUDP(i, port int) (*UDPConn, error) {
	if port <= 0 || port > 0xffff {
		return nil, fmt.Errorf("simhost: listen udp on host %d: port %d out of range", i, port)
	}
	nw.mu.Lock()
	defer nw.mu.Unlock()
	if nw.closed {
		return nil, fmt.Errorf("simhost: listen udp on host %d: %w", i, net.ErrClosed)
	}
	if i < 0 || i >= len(nw.nodes) {
		return nil, fmt.Errorf("simhost: listen udp: no host %d", i)
	}
	ip, ok := netip.AddrFromSlice(nw.cfg.address(i).IP)
	if !ok {
		return nil, fmt.Errorf("simhost: listen udp on host %d: bad IP %v", i, nw.cfg.address(i).IP)
	}
	addr := netip.AddrPortFrom(ip.Unmap(), uint16(port))
	if nw.inUse[addr] {
		return nil, fmt.Errorf("simhost: listen udp on host %d: %v: %w", i, addr, ErrAddrInUse)
	}
	nw.inUse[addr] = true
	// One form of the address everywhere: simnet routes by the bytes of the
	// IP, so a 4-byte and a 16-byte IPv4 would be different hosts.
	sim := nw.Sim.NewEndpoint(net.UDPAddrFromAddrPort(addr), nw.cfg.link)
	return &UDPConn{sim: sim, addr: addr, nw: nw}, nil
}

// ErrAddrInUse is wrapped by the error ListenUDP returns for an address that
// another socket of the simulated network holds.
var ErrAddrInUse = errors.New("simhost: address in use")

// ReadFromUDPAddrPort reads one datagram; it blocks until one arrives, the
// conn is closed or the network is closed (net.ErrClosed).
func (c *UDPConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, from, err := c.sim.ReadFrom(b)
	if err != nil {
		return n, netip.AddrPort{}, err
	}
	ua, ok := from.(*net.UDPAddr)
	if !ok {
		return 0, netip.AddrPort{}, fmt.Errorf("simhost: datagram from non-UDP address %v", from)
	}
	ap := ua.AddrPort()
	return n, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// WriteToUDPAddrPort sends one datagram. Like UDP, it succeeds even when no
// socket listens at to: the simulated network drops the datagram.
func (c *UDPConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	to = netip.AddrPortFrom(to.Addr().Unmap(), to.Port())
	return c.sim.WriteTo(b, net.UDPAddrFromAddrPort(to))
}

// Close closes the socket and frees its address for another ListenUDP. It
// is idempotent.
func (c *UDPConn) Close() error {
	c.closeOnce.Do(func() {
		_ = c.sim.Close() // never fails
		c.nw.mu.Lock()
		delete(c.nw.inUse, c.addr)
		c.nw.mu.Unlock()
	})
	return nil
}

// LocalAddr returns the socket's address, a *net.UDPAddr.
func (c *UDPConn) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(c.addr) }

// AddrPort returns the socket's address.
func (c *UDPConn) AddrPort() netip.AddrPort { return c.addr }

// Stats returns the datagrams and bytes sent and received so far.
func (c *UDPConn) Stats() simnet.ConnStats { return c.sim.Stats() }
