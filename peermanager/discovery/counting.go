package discovery

import (
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/p2p/discover"
)

// UDPTraffic is what a CountingConn has carried: UDP payload bytes and
// datagrams in each direction (IP and UDP headers not included).
type UDPTraffic struct {
	BytesIn, BytesOut     uint64
	PacketsIn, PacketsOut uint64
}

// CountingConn wraps the datagram socket of a discv5 listener and counts
// what goes through it, so that discovery's bandwidth can be reported next
// to libp2p's (discv5 is UDP outside libp2p's streams, which
// metrics.BandwidthReporter cannot see). Pass it to ListenV5 in place of the
// socket. Counting is four atomic adds per datagram and allocates nothing.
// Datagrams go to and come from any address: every discv5 packet, valid or
// not, is counted, since it cost the bandwidth either way.
type CountingConn struct {
	conn                  discover.UDPConn
	bytesIn, bytesOut     atomic.Uint64
	packetsIn, packetsOut atomic.Uint64
}

var _ discover.UDPConn = (*CountingConn)(nil)

// NewCountingConn wraps conn.
func NewCountingConn(conn discover.UDPConn) *CountingConn {
	return &CountingConn{conn: conn}
}

// ReadFromUDPAddrPort implements discover.UDPConn.
func (c *CountingConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, addr, err := c.conn.ReadFromUDPAddrPort(b)
	if n > 0 {
		c.bytesIn.Add(uint64(n))
		c.packetsIn.Add(1)
	}
	return n, addr, err
}

// WriteToUDPAddrPort implements discover.UDPConn. A datagram counts when
// the socket accepted it (n > 0).
func (c *CountingConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	n, err := c.conn.WriteToUDPAddrPort(b, addr)
	if n > 0 {
		c.bytesOut.Add(uint64(n))
		c.packetsOut.Add(1)
	}
	return n, err
}

// Close implements discover.UDPConn; it closes the wrapped socket.
func (c *CountingConn) Close() error { return c.conn.Close() }

// LocalAddr implements discover.UDPConn.
func (c *CountingConn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// Traffic returns the counts so far. The four figures are read one after
// the other, not as one atomic snapshot.
func (c *CountingConn) Traffic() UDPTraffic {
	return UDPTraffic{
		BytesIn: c.bytesIn.Load(), BytesOut: c.bytesOut.Load(),
		PacketsIn: c.packetsIn.Load(), PacketsOut: c.packetsOut.Load(),
	}
}
