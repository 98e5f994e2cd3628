package shardmesh

import (
	"io"

	"github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"
)

// RS is the go-ethereum ENR entry for the "rs" key (index list). Set it with
// SetRelayShards, which also applies the 64-shard rule and removes "rsv";
// enr.Record.Set panics if the value cannot be encoded (an index above
// MaxShardIndex or more than 255 shards). Load it with enr.Record.Load(&rs);
// decoding errors are *ENRError wrapped in *enr.KeyError.
type RS RelayShards

// RSV is the go-ethereum ENR entry for the "rsv" key (bit vector); see RS.
type RSV RelayShards

var (
	_ enr.Entry   = RS{}
	_ rlp.Encoder = RS{}
	_ rlp.Decoder = (*RS)(nil)
	_ enr.Entry   = RSV{}
	_ rlp.Encoder = RSV{}
	_ rlp.Decoder = (*RSV)(nil)
)

// ENRKey implements enr.Entry.
func (RS) ENRKey() string { return ENRKeyRS }

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
	b, err := readENRBytes(s, ENRKeyRS)
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

// ENRKey implements enr.Entry.
func (RSV) ENRKey() string { return ENRKeyRSV }

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
	b, err := readENRBytes(s, ENRKeyRSV)
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

// readENRBytes reads the RLP byte string every Waku ENR value is stored as.
func readENRBytes(s *rlp.Stream, key string) ([]byte, error) {
	b, err := s.Bytes()
	if err != nil {
		return nil, enrErrorf(key, ProblemMalformed, "value is not an RLP byte string: %v", err)
	}
	return b, nil
}
