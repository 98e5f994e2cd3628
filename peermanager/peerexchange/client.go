package peerexchange

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/peermanager/internal/reqresp"
)

// Client asks peers for ENRs. It starts no goroutine; Request runs on the
// caller's.
type Client struct {
	host host.Host
	cfg  config
}

// NewClient returns a client on host h. Invalid options return an
// *OptionError.
func NewClient(h host.Host, opts ...Option) (*Client, error) {
	if h == nil {
		return nil, &OptionError{Option: "host", Reason: "nil host"}
	}
	cfg, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Client{host: h, cfg: cfg}, nil
}

// Result is what one request brought back.
type Result struct {
	// Nodes are the verified records the predicate accepted, distinct, in
	// the order received.
	Nodes []*enode.Node
	// Received counts the PeerInfo entries in the response.
	Received int
	// Invalid counts entries that are not a valid signed ENR: a malformed
	// PeerInfo, bad RLP, a record over 300 bytes, an unknown identity scheme
	// or a bad signature. Each was skipped; the others were still used.
	Invalid int
	// Duplicates counts records of a node already in Nodes.
	Duplicates int
	// Rejected counts valid records the predicate refused (another cluster,
	// no wanted shard, missing capability).
	Rejected int
	// Excess counts records beyond the number asked for: dropped unread (a
	// responder owes at most that many).
	Excess int
}

// Request asks peer p for up to n peers (1..MaxQueryPeers) and returns the
// records accept keeps (all valid ones when accept is nil); accept must not
// block. The exchange is bounded by the client timeout and by ctx, and the
// response size by n. Failures return a *RequestError; an error status from
// the responder wraps a *StatusError.
func (c *Client) Request(ctx context.Context, p peer.ID, n int, accept func(*enode.Node) bool) (Result, error) {
	if n < 1 || n > MaxQueryPeers {
		return Result{}, &OptionError{Option: "number of peers", Reason: fmt.Sprintf("%d not within 1..%d", n, MaxQueryPeers)}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.timeout)
	defer cancel()

	query := RPC{Query: &Query{NumPeers: uint64(n)}}
	msg, step, err := reqresp.Request(ctx, c.host, p, ProtocolID, query.Marshal(), responseLimit(n))
	if err != nil {
		return Result{}, &RequestError{Peer: p, Stage: Stage(step), Err: err}
	}

	rpc, err := UnmarshalRPC(msg)
	if err != nil {
		return Result{}, &RequestError{Peer: p, Stage: StageDecode, Err: err}
	}
	resp := rpc.Response
	if resp == nil {
		return Result{}, &RequestError{Peer: p, Stage: StageDecode, Err: ErrNoResponse}
	}
	if resp.HasStatus && resp.Status != StatusSuccess {
		return Result{}, &RequestError{Peer: p, Stage: StageStatus, Err: &StatusError{Code: resp.Status, Desc: resp.StatusDesc}}
	}
	// responseLimit bounds the response in bytes for records of the largest
	// size; records of a fraction of it fit several times over (135 for 60
	// asked). Never keep more than asked for: the rest is dropped unread.
	excess := 0
	if len(resp.ENRs) > n {
		excess = len(resp.ENRs) - n
		resp.ENRs = resp.ENRs[:n]
	}
	res := Sift(resp, accept)
	res.Received += excess
	res.Excess = excess
	if res.Invalid > 0 {
		c.cfg.logger.Debug("peerexchange: skipped invalid records", "peer", p, "invalid", res.Invalid, "received", res.Received)
	}
	return res, nil
}

// Sift verifies the ENRs of a response and keeps those accept keeps (all
// valid ones when accept is nil). One bad record never spoils the others.
func Sift(resp *Response, accept func(*enode.Node) bool) Result {
	res := Result{Received: len(resp.ENRs) + resp.MalformedPeerInfos, Invalid: resp.MalformedPeerInfos}
	seen := make(map[enode.ID]struct{}, len(resp.ENRs))
	for _, raw := range resp.ENRs {
		node, err := ParseENR(raw)
		if err != nil {
			res.Invalid++
			continue
		}
		if _, dup := seen[node.ID()]; dup {
			res.Duplicates++
			continue
		}
		seen[node.ID()] = struct{}{}
		if accept != nil && !accept(node) {
			res.Rejected++
			continue
		}
		res.Nodes = append(res.Nodes, node)
	}
	return res
}

// ParseENR decodes the RLP of a node record and verifies its signature. It
// rejects records over enr.SizeLimit (300 bytes) and trailing bytes.
func ParseENR(raw []byte) (*enode.Node, error) {
	var rec enr.Record
	if err := rlp.DecodeBytes(raw, &rec); err != nil {
		return nil, fmt.Errorf("peerexchange: decoding ENR: %w", err)
	}
	node, err := enode.New(enode.ValidSchemes, &rec)
	if err != nil {
		return nil, fmt.Errorf("peerexchange: verifying ENR: %w", err)
	}
	return node, nil
}
