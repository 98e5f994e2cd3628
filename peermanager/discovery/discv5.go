package discovery

import (
	"context"
	"crypto/ecdsa"
	"fmt"

	"github.com/ethereum/go-ethereum/p2p/discover"
	"github.com/ethereum/go-ethereum/p2p/enode"
)

// ProtocolID is the discv5 protocol id of the Waku discovery network,
// "d5waku" in place of Ethereum's "discv5" (33/WAKU2-DISCV5, "WAKU2-Specific
// protocol-id"; go-waku waku/v2/discv5/discover.go). Nodes with another id
// cannot decode each other's packets.
var ProtocolID = [6]byte{'d', '5', 'w', 'a', 'k', 'u'}

// ListenV5 starts a discv5 listener on conn speaking the Waku protocol id.
// conn is a *net.UDPConn, or any datagram socket with that method set (such
// as a simulated one). cfg.V5ProtocolID is overwritten; a nil cfg.Clock
// becomes a TimeClock, so that the listener also runs in virtual time inside
// a testing/synctest bubble. The caller owns the listener and closes it
// (after closing any Discv5 source using it); closing it closes conn.
func ListenV5(conn discover.UDPConn, ln *enode.LocalNode, key *ecdsa.PrivateKey, cfg discover.Config) (*discover.UDPv5, error) {
	id := ProtocolID
	cfg.PrivateKey = key
	cfg.V5ProtocolID = &id
	if cfg.Clock == nil {
		cfg.Clock = NewTimeClock()
	}
	l, err := discover.ListenV5(conn, ln, cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery: starting discv5: %w", err)
	}
	return l, nil
}

// RandomWalker is what Discv5 needs from a listener; *discover.UDPv5 has it.
type RandomWalker interface {
	RandomNodes() enode.Iterator
}

var _ RandomWalker = (*discover.UDPv5)(nil)

// Discv5 is a Source that walks the discv5 network at random and keeps the
// records that match the request (Request.MatchNode). Each search has its own
// iterator, closed when the search ends.
type Discv5 struct {
	walker   RandomWalker
	cfg      config
	searches *searches
}

var _ Source = (*Discv5)(nil)

// NewDiscv5 returns a source over a discv5 listener (see ListenV5).
func NewDiscv5(w RandomWalker, opts ...Option) (*Discv5, error) {
	if w == nil {
		return nil, &OptionError{Option: "listener", Reason: "nil"}
	}
	cfg, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Discv5{walker: w, cfg: cfg, searches: newSearches(cfg.maxSearches, cfg.timeout)}, nil
}

// Find implements Source. The walk ends when N candidates are found or the
// search's context ends (caller's context, search timeout, Close).
func (d *Discv5) Find(ctx context.Context, req Request) (<-chan Candidate, error) {
	return d.searches.start(ctx, req, func(ctx context.Context, emit func(Candidate) bool) {
		it := enode.Filter(d.walker.RandomNodes(), req.MatchNode)
		defer it.Close()
		// Next blocks inside go-ethereum's lookup; closing the iterator is
		// the way to interrupt it.
		stop := context.AfterFunc(ctx, it.Close)
		defer stop()
		for it.Next() {
			c, err := CandidateFromNode(it.Node(), OriginDiscv5)
			if err == nil {
				c, err = keepDialable(c, d.cfg.private)
			}
			if err != nil {
				d.cfg.logger.Debug("discovery: unusable discv5 record", "node", it.Node().ID().TerminalString(), "err", err)
				continue
			}
			if !emit(c) {
				return
			}
		}
	})
}

// Close stops the searches in progress and waits for them; it does not close
// the listener. It always returns nil.
func (d *Discv5) Close() error {
	d.searches.close()
	return nil
}
