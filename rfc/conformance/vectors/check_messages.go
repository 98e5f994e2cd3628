package vectors

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/wakupm/wakupm/peermanager/metadata"
	"github.com/wakupm/wakupm/peermanager/peerexchange"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// MetadataValue is the value of metadata.
type MetadataValue struct {
	Cluster *uint32  `json:"cluster"`
	Shards  []uint16 `json:"shards"`
}

// PeerExchangeValue is the value of peer-exchange.
type PeerExchangeValue struct {
	Query    *PeerExchangeQuery    `json:"query"`
	Response *PeerExchangeResponse `json:"response"`
}

// PeerExchangeQuery is the query of a PeerExchangeRPC.
type PeerExchangeQuery struct {
	NumPeers uint64 `json:"num_peers"`
}

// PeerExchangeResponse is the response of a PeerExchangeRPC; ENRs in hex.
type PeerExchangeResponse struct {
	StatusCode *uint32  `json:"status_code"`
	StatusDesc *string  `json:"status_desc"`
	ENRs       []string `json:"enrs"`
}

// HashValue is the value of message-hash.
type HashValue struct {
	Hash string `json:"hash"`
}

// ProtectedValue is the value of protected: always "accept".
type ProtectedValue struct {
	Result string `json:"result"`
}

func checkMetadata(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindMetadata, input)
	if err != nil {
		return nil, "", err
	}
	m, err := metadata.Unmarshal(b)
	if err != nil {
		return nil, ClassMalformed, nil
	}
	v := MetadataValue{Shards: m.Shards.Indexes()}
	if m.HasCluster {
		c := m.Cluster
		v.Cluster = &c
	}
	return v, "", nil
}

func checkPeerExchange(input json.RawMessage) (any, string, error) {
	b, err := decodeHexInput(KindPeerExchange, input)
	if err != nil {
		return nil, "", err
	}
	rpc, err := peerexchange.UnmarshalRPC(b)
	if err != nil {
		return nil, ClassMalformed, nil
	}
	var v PeerExchangeValue
	if rpc.Query != nil {
		v.Query = &PeerExchangeQuery{NumPeers: rpc.Query.NumPeers}
	}
	if r := rpc.Response; r != nil {
		resp := &PeerExchangeResponse{ENRs: []string{}}
		if r.HasStatus {
			c := uint32(r.Status)
			resp.StatusCode = &c
		}
		if r.StatusDesc != "" {
			d := r.StatusDesc
			resp.StatusDesc = &d
		}
		for _, e := range r.ENRs {
			resp.ENRs = append(resp.ENRs, hex.EncodeToString(e))
		}
		v.Response = resp
	}
	return v, "", nil
}

type messageHashInput struct {
	PubsubTopic *string `json:"pubsub_topic"`
	MessageHex  *string `json:"message_hex"`
}

func checkMessageHash(input json.RawMessage) (any, string, error) {
	var in messageHashInput
	if err := decodeInput(KindMessageHash, input, &in); err != nil {
		return nil, "", err
	}
	if in.PubsubTopic == nil || in.MessageHex == nil {
		return nil, "", &InputError{Kind: KindMessageHash, Reason: "pubsub_topic and message_hex are required"}
	}
	b, err := decodeHex(KindMessageHash, "message_hex", *in.MessageHex)
	if err != nil {
		return nil, "", err
	}
	m, err := protected.Unmarshal(b)
	if err != nil {
		return nil, ClassMalformed, nil
	}
	h := protected.MessageHash(*in.PubsubTopic, &m)
	return HashValue{Hash: hex.EncodeToString(h[:])}, "", nil
}

type protectedInput struct {
	PubsubTopic  *string  `json:"pubsub_topic"`
	PublicKeyHex *string  `json:"public_key_hex"`
	NowMs        *int64   `json:"now_ms"`
	MessageHex   *string  `json:"message_hex"`
	SeenHex      []string `json:"seen_hex"`
}

var protectedClasses = map[protected.Reason]string{
	protected.ReasonMalformed:     ClassMalformed,
	protected.ReasonNoTimestamp:   ClassStale,
	protected.ReasonOutsideWindow: ClassStale,
	protected.ReasonBadMetaLength: ClassBadLength,
	protected.ReasonReplay:        ClassReplay,
	protected.ReasonBadSignature:  ClassBadSignature,
}

func checkProtected(input json.RawMessage) (any, string, error) {
	var in protectedInput
	if err := decodeInput(KindProtected, input, &in); err != nil {
		return nil, "", err
	}
	if in.PubsubTopic == nil || in.PublicKeyHex == nil || in.NowMs == nil || in.MessageHex == nil {
		return nil, "", &InputError{Kind: KindProtected, Reason: "pubsub_topic, public_key_hex, now_ms and message_hex are required"}
	}
	key, err := protected.ParsePublicKey(*in.PublicKeyHex)
	if err != nil {
		return nil, "", &InputError{Kind: KindProtected, Reason: err.Error()}
	}
	v, err := protected.NewValidator(*in.PubsubTopic, key)
	if err != nil {
		return nil, "", &InputError{Kind: KindProtected, Reason: err.Error()}
	}
	now := time.UnixMilli(*in.NowMs)
	for i, s := range slices.Concat(in.SeenHex, []string{*in.MessageHex}) {
		b, err := decodeHex(KindProtected, "message", s)
		if err != nil {
			return nil, "", err
		}
		vd := v.Validate(b, now)
		if i < len(in.SeenHex) {
			if vd.Result != protected.Accept {
				return nil, "", &InputError{Kind: KindProtected, Reason: "seen_hex message not accepted: " + vd.Reason.String()}
			}
			continue
		}
		if vd.Result == protected.Accept {
			return ProtectedValue{Result: "accept"}, "", nil
		}
		return nil, protectedClasses[vd.Reason], nil
	}
	panic("unreachable")
}
