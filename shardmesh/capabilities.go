package shardmesh

import (
	"io"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"
)

// Capabilities is the "waku2" ENR entry: an 8-bit flag field saying which
// Waku protocols a node serves (WAKU2-ENR, waku-org/specs
// standards/core/enr.md; go-waku protocol/enr/enr.go; nwaku
// waku_enr/capabilities.nim). Bits 5-7 are undefined in the spec; nwaku uses
// bit 5 for mix. They are kept as read and printed as "bit5".."bit7".
type Capabilities uint8

// Capability bits, bit 0 the least significant (WAKU2-ENR "waku2 ENR key").
const (
	CapRelay     Capabilities = 1 << 0
	CapStore     Capabilities = 1 << 1
	CapFilter    Capabilities = 1 << 2
	CapLightPush Capabilities = 1 << 3
	CapSync      Capabilities = 1 << 4
)

var (
	_ enr.Entry   = Capabilities(0)
	_ rlp.Encoder = Capabilities(0)
	_ rlp.Decoder = (*Capabilities)(nil)
)

var capabilityNames = [...]string{"relay", "store", "filter", "lightpush", "sync"}

// Has reports whether every bit of want is set in c.
func (c Capabilities) Has(want Capabilities) bool { return c&want == want }

// String lists the set flags, e.g. "relay,store"; "none" for zero.
func (c Capabilities) String() string {
	if c == 0 {
		return "none"
	}
	var parts []string
	for bit := range 8 {
		if c&(1<<bit) == 0 {
			continue
		}
		if bit < len(capabilityNames) {
			parts = append(parts, capabilityNames[bit])
		} else {
			parts = append(parts, "bit"+strconv.Itoa(bit))
		}
	}
	return strings.Join(parts, ",")
}

// ENRKey implements enr.Entry.
func (Capabilities) ENRKey() string { return ENRKeyWaku2 }

// EncodeRLP writes the flags as a one-byte RLP string, as nwaku does
// (withWakuCapabilities: addFieldPair("waku2", @[caps.uint8])).
func (c Capabilities) EncodeRLP(w io.Writer) error {
	return rlp.Encode(w, []byte{byte(c)})
}

// DecodeRLP reads the flags with DecodeCapabilities.
func (c *Capabilities) DecodeRLP(s *rlp.Stream) error {
	b, err := readENRBytes(s, ENRKeyWaku2)
	if err != nil {
		return err
	}
	v, err := DecodeCapabilities(b)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// DecodeCapabilities decodes the byte-string value of a "waku2" key. One
// byte is the normal form (nwaku writes @[byte]); an empty value reads as no
// capabilities, because go-waku writes the flags as an RLP integer and the
// integer 0 is the empty string. Longer values return an *ENRError with
// ProblemOversized.
func DecodeCapabilities(b []byte) (Capabilities, error) {
	switch len(b) {
	case 0:
		return 0, nil
	case 1:
		return Capabilities(b[0]), nil
	default:
		return 0, enrErrorf(ENRKeyWaku2, ProblemOversized, "%d bytes, want 1", len(b))
	}
}
