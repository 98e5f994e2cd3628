package peerexchange

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers (34/WAKU2-PEER-EXCHANGE "Wire Format Specification"; status
// fields from waku-org/specs standards/core/peer-exchange.md and nwaku
// waku/waku_peer_exchange/rpc_codec.nim).
const (
	fieldRPCQuery    protowire.Number = 1 // PeerExchangeQuery
	fieldRPCResponse protowire.Number = 2 // PeerExchangeResponse

	fieldQueryNumPeers protowire.Number = 1 // uint64

	fieldResponsePeerInfos  protowire.Number = 1  // repeated PeerInfo
	fieldResponseStatus     protowire.Number = 10 // uint32
	fieldResponseStatusDesc protowire.Number = 11 // optional string

	fieldPeerInfoENR protowire.Number = 1 // bytes
)

// StatusCode is the status of a response. Older responders (go-waku) send
// none; see Response.HasStatus.
type StatusCode uint32

// Status codes of the spec's "Possible status codes" table.
const (
	StatusSuccess            StatusCode = 200
	StatusBadRequest         StatusCode = 400
	StatusBadResponse        StatusCode = 401
	StatusTooManyRequests    StatusCode = 429
	StatusServiceUnavailable StatusCode = 503
	StatusDialFailure        StatusCode = 599
)

func (c StatusCode) String() string {
	switch c {
	case StatusSuccess:
		return "200 success"
	case StatusBadRequest:
		return "400 bad request"
	case StatusBadResponse:
		return "401 bad response"
	case StatusTooManyRequests:
		return "429 too many requests"
	case StatusServiceUnavailable:
		return "503 service unavailable"
	case StatusDialFailure:
		return "599 dial failure"
	}
	return fmt.Sprintf("%d", uint32(c))
}

// Query asks for up to NumPeers peers.
type Query struct {
	NumPeers uint64
}

// Response carries the ENRs a responder chose to share.
type Response struct {
	// ENRs holds the enr field of each PeerInfo, in order, as received: not
	// yet checked as records (Client.Request does that).
	ENRs [][]byte
	// MalformedPeerInfos counts PeerInfo entries that were not valid
	// protobuf; they are left out of ENRs and do not fail the response.
	MalformedPeerInfos int
	// Status is meaningful only when HasStatus.
	Status     StatusCode
	HasStatus  bool
	StatusDesc string
}

// RPC is the PeerExchangeRPC envelope. A request sets Query, a response sets
// Response.
type RPC struct {
	Query    *Query
	Response *Response
}

// Marshal returns the protobuf encoding of r. Fields come in number order.
func (r RPC) Marshal() []byte { return r.AppendMarshal(nil) }

// AppendMarshal appends the encoding of r to b.
func (r RPC) AppendMarshal(b []byte) []byte {
	if r.Query != nil {
		b = protowire.AppendTag(b, fieldRPCQuery, protowire.BytesType)
		b = protowire.AppendBytes(b, r.Query.marshal())
	}
	if r.Response != nil {
		b = protowire.AppendTag(b, fieldRPCResponse, protowire.BytesType)
		b = protowire.AppendBytes(b, r.Response.marshal())
	}
	return b
}

// marshal writes num_peers even when zero: nwaku's codec writes scalars
// unconditionally and its decoder insists on a query in every RPC, so the
// server echoes an explicit {num_peers: 0} like nwaku's own responses.
func (q Query) marshal() []byte {
	b := protowire.AppendTag(nil, fieldQueryNumPeers, protowire.VarintType)
	return protowire.AppendVarint(b, q.NumPeers)
}

func (r Response) marshal() []byte {
	var b []byte
	for _, e := range r.ENRs {
		var info []byte
		info = protowire.AppendTag(info, fieldPeerInfoENR, protowire.BytesType)
		info = protowire.AppendBytes(info, e)
		b = protowire.AppendTag(b, fieldResponsePeerInfos, protowire.BytesType)
		b = protowire.AppendBytes(b, info)
	}
	if r.HasStatus {
		b = protowire.AppendTag(b, fieldResponseStatus, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(r.Status))
	}
	if r.StatusDesc != "" {
		b = protowire.AppendTag(b, fieldResponseStatusDesc, protowire.BytesType)
		b = protowire.AppendString(b, r.StatusDesc)
	}
	return b
}

// UnmarshalRPC decodes a PeerExchangeRPC. Protobuf rules apply: unknown
// fields and fields of an unexpected wire type are skipped, the last of a
// repeated singular field wins (sub-messages merge, as protobuf does), a
// uint32 from a longer varint is truncated. A malformed PeerInfo is counted
// in Response.MalformedPeerInfos rather than failing the whole message.
// Other malformed input returns a *DecodeError; it never panics.
func UnmarshalRPC(b []byte) (RPC, error) {
	var r RPC
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case fieldRPCQuery:
			if r.Query == nil {
				r.Query = &Query{}
			}
			return r.Query.merge(v)
		case fieldRPCResponse:
			if r.Response == nil {
				r.Response = &Response{}
			}
			return r.Response.merge(v)
		}
		return nil
	})
	if err != nil {
		return RPC{}, err
	}
	return r, nil
}

func (q *Query) merge(b []byte) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, _ []byte, x uint64) error {
		if num == fieldQueryNumPeers && typ == protowire.VarintType {
			q.NumPeers = x
		}
		return nil
	})
}

func (r *Response) merge(b []byte) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == fieldResponsePeerInfos && typ == protowire.BytesType:
			enr, ok := peerInfoENR(v)
			if !ok {
				r.MalformedPeerInfos++
				return nil
			}
			r.ENRs = append(r.ENRs, enr)
		case num == fieldResponseStatus && typ == protowire.VarintType:
			r.Status, r.HasStatus = StatusCode(uint32(x)), true
		case num == fieldResponseStatusDesc && typ == protowire.BytesType:
			r.StatusDesc = string(v)
		}
		return nil
	})
}

// peerInfoENR returns a copy of the enr field of a PeerInfo (the last one if
// repeated), or false when the PeerInfo is not valid protobuf.
func peerInfoENR(b []byte) ([]byte, bool) {
	var enr []byte
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num == fieldPeerInfoENR && typ == protowire.BytesType {
			enr = v
		}
		return nil
	})
	if err != nil {
		return nil, false
	}
	return append([]byte(nil), enr...), true
}

// eachField walks the fields of one message, calling f with the bytes of a
// length-delimited value or the number of a varint. Other wire types are
// skipped. The first malformed field stops the walk with a *DecodeError.
func eachField(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for off := 0; off < len(b); {
		num, typ, n := protowire.ConsumeTag(b[off:])
		if n < 0 {
			return &DecodeError{Offset: off, Err: protowire.ParseError(n)}
		}
		start := off
		off += n
		var (
			v []byte
			x uint64
		)
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b[off:])
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b[off:])
		default:
			n = protowire.ConsumeFieldValue(num, typ, b[off:])
		}
		if n < 0 {
			return &DecodeError{Offset: start, Field: num, Err: protowire.ParseError(n)}
		}
		off += n
		if err := f(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}
