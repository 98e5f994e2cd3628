package enr

import (
	"io"

	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"
)

// RS is the go-ethereum ENR entry for the "rs" key (index list). Set it with
// SetRelayShards, which also applies the 64-shard rule and removes "rsv";
// go-ethereum's Record.Set panics if the value cannot be encoded (an index
// above shardmesh.MaxShardIndex or more than 255 shards). Load it with
// Record.Load(&rs); decoding errors are *Error wrapped in *enr.KeyError.
type RS RelayShards

// RSV is the go-ethereum ENR entry for the "rsv" key (bit vector); see RS.
type RSV RelayShards

var (
	_ gethenr.Entry = RS{}
	_ rlp.Encoder   = RS{}
	_ rlp.Decoder   = (*RS)(nil)
	_ gethenr.Entry = RSV{}
	_ rlp.Encoder   = RSV{}
	_ rlp.Decoder   = (*RSV)(nil)
)

// ENRKey implements go-ethereum's enr.Entry.
func (RS) ENRKey() string { return KeyRS }

// EncodeRLP writes the EncodeRS value as an RLP byte string.
func (e RS) EncodeRLP(w io.Writer) error {
	b, err := RelayShards(e).EncodeRS()
	if err != nil {
		return err
	}
	return rlp.Encode(w, b)
}

// DecodeRLP reads an RLP byte string and decodes it with DecodeRS.
func (e *RS) DecodeRLP(s *rlp.Stream) error {
	b, err := readBytes(s, KeyRS)
	if err != nil {
		return err
	}
	rs, err := DecodeRS(b)
	if err != nil {
		return err
	}
	*e = RS(rs)
	return nil
}

// ENRKey implements go-ethereum's enr.Entry.
func (RSV) ENRKey() string { return KeyRSV }

// EncodeRLP writes the EncodeRSV value as an RLP byte string.
func (e RSV) EncodeRLP(w io.Writer) error {
	b, err := RelayShards(e).EncodeRSV()
	if err != nil {
		return err
	}
	return rlp.Encode(w, b)
}

// DecodeRLP reads an RLP byte string and decodes it with DecodeRSV.
func (e *RSV) DecodeRLP(s *rlp.Stream) error {
	b, err := readBytes(s, KeyRSV)
	if err != nil {
		return err
	}
	rs, err := DecodeRSV(b)
	if err != nil {
		return err
	}
	*e = RSV(rs)
	return nil
}

// readBytes reads the RLP byte string every Waku ENR value is stored as.
func readBytes(s *rlp.Stream, key string) ([]byte, error) {
	b, err := s.Bytes()
	if err != nil {
		return nil, errorf(key, ProblemMalformed, "value is not an RLP byte string: %v", err)
	}
	return b, nil
}
