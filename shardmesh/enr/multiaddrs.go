package enr

import (
	"encoding/binary"
	"io"
	"math"

	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/multiformats/go-multiaddr"
)

// Multiaddrs is the "multiaddrs" ENR entry: addresses that the EIP-778 keys
// (ip, tcp, udp, ...) cannot express, such as dns4/wss (WAKU2-ENR,
// waku-org/specs standards/core/enr.md). The value is a sequence of
// u16 BE length ‖ binary multiaddr.
//
// A circuit-relay address is stored without its trailing /p2p-circuit and
// without the node's own /p2p/<id>: any address that still contains a /p2p
// component is a relay address, and dialers append /p2p-circuit/p2p/<id>.
// This package returns addresses as stored.
type Multiaddrs []multiaddr.Multiaddr

var (
	_ gethenr.Entry = Multiaddrs(nil)
	_ rlp.Encoder   = Multiaddrs(nil)
	_ rlp.Decoder   = (*Multiaddrs)(nil)
)

// ENRKey implements go-ethereum's enr.Entry.
func (Multiaddrs) ENRKey() string { return KeyMultiaddrs }

// EncodeRLP writes EncodeMultiaddrs as an RLP byte string.
func (m Multiaddrs) EncodeRLP(w io.Writer) error {
	b, err := EncodeMultiaddrs(m)
	if err != nil {
		return err
	}
	return rlp.Encode(w, b)
}

// DecodeRLP reads an RLP byte string and decodes it with DecodeMultiaddrs.
func (m *Multiaddrs) DecodeRLP(s *rlp.Stream) error {
	b, err := readBytes(s, KeyMultiaddrs)
	if err != nil {
		return err
	}
	v, err := DecodeMultiaddrs(b)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// EncodeMultiaddrs returns the "multiaddrs" value of addrs. It fails with an
// *Error for an empty address or one longer than 65535 bytes.
func EncodeMultiaddrs(addrs []multiaddr.Multiaddr) ([]byte, error) {
	var b []byte
	for _, a := range addrs {
		raw := a.Bytes()
		switch {
		case len(raw) == 0:
			return nil, errorf(KeyMultiaddrs, ProblemMalformed, "empty multiaddr")
		case len(raw) > math.MaxUint16:
			return nil, errorf(KeyMultiaddrs, ProblemOversized, "multiaddr of %d bytes", len(raw))
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(raw)))
		b = append(b, raw...)
	}
	return b, nil
}

// DecodeMultiaddrs decodes a "multiaddrs" value. Framing errors return an
// *Error: a length prefix cut short or pointing past the end
// (ProblemTruncated) or a zero length (ProblemMalformed). An item whose bytes
// are not a multiaddr this build understands (for instance a newer transport)
// is skipped, as nwaku does (waku_enr/multiaddr.nim decodeMultiaddrs), so
// that one unknown address does not hide the others. go-waku's reader loops
// forever on such an item and panics on a trailing byte (waku/v2/protocol/enr/enr.go:133-142);
// this one always advances and never panics.
func DecodeMultiaddrs(b []byte) ([]multiaddr.Multiaddr, error) {
	var out []multiaddr.Multiaddr
	for off := 0; off < len(b); {
		if len(b)-off < 2 {
			return nil, errorf(KeyMultiaddrs, ProblemTruncated, "%d stray byte(s) at offset %d", len(b)-off, off)
		}
		n := int(binary.BigEndian.Uint16(b[off:]))
		off += 2
		if n == 0 {
			return nil, errorf(KeyMultiaddrs, ProblemMalformed, "zero-length item at offset %d", off-2)
		}
		if len(b)-off < n {
			return nil, errorf(KeyMultiaddrs, ProblemTruncated, "item of %d bytes at offset %d, %d left", n, off-2, len(b)-off)
		}
		if a, err := multiaddr.NewMultiaddrBytes(b[off : off+n]); err == nil {
			out = append(out, a)
		}
		off += n
	}
	return out, nil
}
