package vectors

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/p2p/enode"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/shardmesh/enr"
)

// Waku2Value is the value of enr-waku2.
type Waku2Value struct {
	Flags uint8 `json:"flags"`
}

// MultiaddrsValue is the value of enr-multiaddrs.
type MultiaddrsValue struct {
	Multiaddrs []string `json:"multiaddrs"`
}

// ENRValue is the value of enr. Shards, Waku2 and Multiaddrs are nil when
// the record lacks the field, a ClassValue when the decoder refuses it.
type ENRValue struct {
	Seq        uint64  `json:"seq"`
	IP         *string `json:"ip"`
	TCP        *uint16 `json:"tcp"`
	UDP        *uint16 `json:"udp"`
	Shards     any     `json:"shards"`
	Waku2      any     `json:"waku2"`
	Multiaddrs any     `json:"multiaddrs"`
}

// enrClass maps a field error of shardmesh/enr to an error class.
func enrClass(err error) string {
	var e *enr.Error
	if errors.As(err, &e) {
		switch e.Problem {
		case enr.ProblemTruncated, enr.ProblemOversized, enr.ProblemCountMismatch:
			return ClassBadLength
		case enr.ProblemOutOfRange:
			return ClassOutOfRange
		}
	}
	return ClassMalformed
}

func shardsValue(rs enr.RelayShards) ShardsValue {
	idx := slices.Clone(rs.Indices)
	if idx == nil {
		idx = []uint16{}
	}
	return ShardsValue{Cluster: rs.Cluster, Shards: idx}
}

func checkRS(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindENRRS, input)
	if err != nil {
		return nil, "", err
	}
	rs, err := enr.DecodeRS(b)
	if err != nil {
		return nil, enrClass(err), nil
	}
	return shardsValue(rs), "", nil
}

func checkRSV(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindENRRSV, input)
	if err != nil {
		return nil, "", err
	}
	rs, err := enr.DecodeRSV(b)
	if err != nil {
		return nil, enrClass(err), nil
	}
	return shardsValue(rs), "", nil
}

func checkWaku2(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindENRWaku2, input)
	if err != nil {
		return nil, "", err
	}
	c, err := enr.DecodeCapabilities(b)
	if err != nil {
		return nil, enrClass(err), nil
	}
	return Waku2Value{Flags: uint8(c)}, "", nil
}

func multiaddrStrings(as []multiaddr.Multiaddr) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.String())
	}
	return out
}

func checkMultiaddrs(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindENRMultiaddrs, input)
	if err != nil {
		return nil, "", err
	}
	as, err := enr.DecodeMultiaddrs(b)
	if err != nil {
		return nil, enrClass(err), nil
	}
	return MultiaddrsValue{Multiaddrs: multiaddrStrings(as)}, "", nil
}

func checkENR(input json.RawMessage) (any, string, error) {
	text, err := decodeText(KindENR, input)
	if err != nil {
		return nil, "", err
	}
	r, class := parseRecord(text)
	if class != "" {
		return nil, class, nil
	}
	return recordValue(r), "", nil
}

// parseRecord decodes and verifies a text record as go-ethereum's discv5
// does: base64url without padding, RLP with keys sorted and unique, a v4
// signature that verifies.
func parseRecord(text string) (*gethenr.Record, string) {
	b64, ok := strings.CutPrefix(text, "enr:")
	if !ok {
		return nil, ClassMalformed
	}
	raw, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return nil, ClassMalformed
	}
	var r gethenr.Record
	if err := rlp.DecodeBytes(raw, &r); err != nil {
		return nil, ClassMalformed
	}
	if _, err := enode.New(enode.ValidSchemes, &r); err != nil {
		if errors.Is(err, gethenr.ErrInvalidSig) {
			return nil, ClassBadSignature
		}
		return nil, ClassMalformed
	}
	return &r, ""
}

func recordValue(r *gethenr.Record) ENRValue {
	v := ENRValue{Seq: r.Seq()}
	var ip gethenr.IPv4
	if r.Load(&ip) == nil {
		s := net.IP(ip).String()
		v.IP = &s
	}
	var tcp gethenr.TCP
	if r.Load(&tcp) == nil {
		p := uint16(tcp)
		v.TCP = &p
	}
	var udp gethenr.UDP
	if r.Load(&udp) == nil {
		p := uint16(udp)
		v.UDP = &p
	}
	if rs, err := enr.RelayShardsFromRecord(r); err == nil {
		v.Shards = shardsValue(rs)
	} else if !errors.Is(err, enr.ErrFieldAbsent) {
		v.Shards = ClassValue{ErrorClass: enrClass(err)}
	}
	if c, err := enr.CapabilitiesFromRecord(r); err == nil {
		v.Waku2 = uint8(c)
	} else if !errors.Is(err, enr.ErrFieldAbsent) {
		v.Waku2 = ClassValue{ErrorClass: enrClass(err)}
	}
	if as, err := enr.MultiaddrsFromRecord(r); err == nil {
		v.Multiaddrs = multiaddrStrings(as)
	} else if !errors.Is(err, enr.ErrFieldAbsent) {
		v.Multiaddrs = ClassValue{ErrorClass: enrClass(err)}
	}
	return v
}
