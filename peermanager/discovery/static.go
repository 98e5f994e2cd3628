package discovery

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
)

// Static is a Source over a fixed list of peers, such as the operator's
// static or bootstrap nodes. Find answers from memory without a goroutine.
type Static struct {
	peers []Candidate
}

var _ Source = (*Static)(nil)

// NewStatic returns a source over the given candidates, marked
// OriginStatic. Build them with CandidateFromNode (ENR known) or StaticAddrs
// (addresses only; shards unknown until the metadata exchange).
func NewStatic(peers ...Candidate) *Static {
	s := &Static{peers: make([]Candidate, len(peers))}
	for i, c := range peers {
		c.Origin = OriginStatic
		s.peers[i] = c
	}
	return s
}

// StaticAddrs parses multiaddrs that end in /p2p/<id> into candidates whose
// shards are unknown, one per peer (addresses of one peer are merged).
func StaticAddrs(addrs ...string) ([]Candidate, error) {
	var out []Candidate
	index := map[peer.ID]int{}
	for _, s := range addrs {
		ma, err := multiaddr.NewMultiaddr(s)
		if err != nil {
			return nil, fmt.Errorf("discovery: static address %q: %w", s, err)
		}
		info, err := peer.AddrInfoFromP2pAddr(ma)
		if err != nil {
			return nil, fmt.Errorf("discovery: static address %q: %w", s, err)
		}
		if i, ok := index[info.ID]; ok {
			out[i].AddrInfo.Addrs = append(out[i].AddrInfo.Addrs, info.Addrs...)
			continue
		}
		index[info.ID] = len(out)
		out = append(out, Candidate{AddrInfo: *info, Origin: OriginStatic})
	}
	return out, nil
}

// StaticENRs parses enr:... texts into candidates.
func StaticENRs(records ...string) ([]Candidate, error) {
	out := make([]Candidate, 0, len(records))
	for _, text := range records {
		n, err := enode.Parse(enode.ValidSchemes, text)
		if err != nil {
			return nil, fmt.Errorf("discovery: static ENR: %w", err)
		}
		c, err := CandidateFromNode(n, OriginStatic)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// All returns the configured peers.
func (s *Static) All() []Candidate { return append([]Candidate(nil), s.peers...) }

// Find delivers the configured peers that match req (see
// Request.MatchCandidate: peers with unknown shards always match), in
// configuration order, and closes the channel before returning.
func (s *Static) Find(_ context.Context, req Request) (<-chan Candidate, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	e := &emitter{ch: make(chan Candidate, req.N), n: req.N, seen: make(map[peer.ID]struct{}, req.N)}
	for _, c := range s.peers {
		if req.MatchCandidate(c) && !e.emit(c) {
			break
		}
	}
	close(e.ch)
	return e.ch, nil
}
