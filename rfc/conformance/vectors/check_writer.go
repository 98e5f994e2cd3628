package vectors

import (
	"encoding/hex"
	"encoding/json"
	"errors"

	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/wakupm/wakupm/shardmesh/enr"
)

// ShardKeysValue is the value of enr-shards-writer: the record's rs and rsv
// values after writing, in hex, nil when the key is absent.
type ShardKeysValue struct {
	RS  *string `json:"rs"`
	RSV *string `json:"rsv"`
}

type writerInput struct {
	Cluster  *uint16  `json:"cluster"`
	Shards   []uint16 `json:"shards"`
	Previous *struct {
		Key string `json:"key"`
		Hex string `json:"hex"`
	} `json:"previous"`
}

// rawValue is an ENR entry with a given byte-string value.
type rawValue struct {
	key   string
	value []byte
}

func (e rawValue) ENRKey() string { return e.key }
func (e rawValue) EncodeRLP(w interface{ Write([]byte) (int, error) }) error {
	return rlp.Encode(w, e.value)
}

func checkShardsWriter(input json.RawMessage) (any, string, error) {
	var in writerInput
	if err := decodeInput(KindENRShardsWriter, input, &in); err != nil {
		return nil, "", err
	}
	if in.Cluster == nil || in.Shards == nil {
		return nil, "", &InputError{Kind: KindENRShardsWriter, Reason: "cluster and shards are required"}
	}
	var r gethenr.Record
	if p := in.Previous; p != nil {
		b, err := decodeHex(KindENRShardsWriter, "previous.hex", p.Hex)
		if err != nil {
			return nil, "", err
		}
		if p.Key != enr.KeyRS && p.Key != enr.KeyRSV {
			return nil, "", &InputError{Kind: KindENRShardsWriter, Reason: "previous.key must be rs or rsv"}
		}
		r.Set(rawValue{key: p.Key, value: b})
	}
	err := enr.SetRelayShards(&r, enr.RelayShards{Cluster: *in.Cluster, Indices: in.Shards})
	if err != nil {
		var e *enr.Error
		if errors.As(err, &e) && e.Problem == enr.ProblemEmpty {
			return nil, ClassUnsupportedValue, nil
		}
		return nil, enrClass(err), nil
	}
	return ShardKeysValue{RS: loadHex(&r, enr.KeyRS), RSV: loadHex(&r, enr.KeyRSV)}, "", nil
}

func loadHex(r *gethenr.Record, key string) *string {
	var b []byte
	if r.Load(gethenr.WithEntry(key, &b)) != nil {
		return nil
	}
	s := hex.EncodeToString(b)
	return &s
}
