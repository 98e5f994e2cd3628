package enr

import (
	"io"

	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/wakupm/wakupm/shardmesh"
)

// Waku2 is the go-ethereum ENR entry for the "waku2" key: the capability
// flags of shardmesh.Capabilities. Set it with r.Set(Waku2(caps)); read it
// with CapabilitiesFromRecord.
type Waku2 shardmesh.Capabilities

var (
	_ gethenr.Entry = Waku2(0)
	_ rlp.Encoder   = Waku2(0)
	_ rlp.Decoder   = (*Waku2)(nil)
)

// ENRKey implements go-ethereum's enr.Entry.
func (Waku2) ENRKey() string { return KeyWaku2 }

// EncodeRLP writes the flags as a one-byte RLP string, as nwaku does
// (withWakuCapabilities: addFieldPair("waku2", @[caps.uint8])).
func (c Waku2) EncodeRLP(w io.Writer) error {
	return rlp.Encode(w, []byte{byte(c)})
}

// DecodeRLP reads the flags with DecodeCapabilities.
func (c *Waku2) DecodeRLP(s *rlp.Stream) error {
	b, err := readBytes(s, KeyWaku2)
	if err != nil {
		return err
	}
	v, err := DecodeCapabilities(b)
	if err != nil {
		return err
	}
	*c = Waku2(v)
	return nil
}

// DecodeCapabilities decodes the byte-string value of a "waku2" key. One
// byte is the normal form (nwaku writes @[byte]); an empty value reads as no
// capabilities, because go-waku writes the flags as an RLP integer and the
// integer 0 is the empty string. Longer values return an *Error with
// ProblemOversized.
func DecodeCapabilities(b []byte) (shardmesh.Capabilities, error) {
	switch len(b) {
	case 0:
		return 0, nil
	case 1:
		return shardmesh.Capabilities(b[0]), nil
	default:
		return 0, errorf(KeyWaku2, ProblemOversized, "%d bytes, want 1", len(b))
	}
}
