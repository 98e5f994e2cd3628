package metrics

import (
	"sync"
	"time"

	libp2pmetrics "github.com/libp2p/go-libp2p/core/metrics"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// BandwidthReporter is a go-libp2p metrics.Reporter that counts the bytes of
// every stream by protocol and direction. Install it with
// libp2p.BandwidthReporter(r): the swarm then reports each stream read and
// write. Unlike go-libp2p's own BandwidthCounter it keeps no rates, no
// per-peer table (memory stays bounded by the number of protocols) and
// starts no goroutine, so it also runs inside a testing/synctest bubble.
// Bytes of a stream read or written before its protocol is negotiated are
// counted under the empty protocol.
type BandwidthReporter struct {
	mu   sync.Mutex
	core *Bandwidth
}

var _ libp2pmetrics.Reporter = (*BandwidthReporter)(nil)

// NewBandwidthReporter returns a reporter with an empty account.
func NewBandwidthReporter() *BandwidthReporter {
	return &BandwidthReporter{core: newBandwidth(bandwidthConfig{})}
}

// BandwidthSnapshot returns a sorted copy of the account (Protocols only).
func (r *BandwidthReporter) BandwidthSnapshot() BandwidthSnapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.core.Snapshot()
}

// LogSentMessageStream counts n bytes written on a stream of proto.
func (r *BandwidthReporter) LogSentMessageStream(n int64, proto protocol.ID, _ peer.ID) {
	r.log(string(proto), DirectionOut, n)
}

// LogRecvMessageStream counts n bytes read from a stream of proto.
func (r *BandwidthReporter) LogRecvMessageStream(n int64, proto protocol.ID, _ peer.ID) {
	r.log(string(proto), DirectionIn, n)
}

func (r *BandwidthReporter) log(proto string, dir Direction, n int64) {
	if n <= 0 {
		return
	}
	r.mu.Lock()
	r.core.AddProtocol(proto, dir, int(n))
	r.mu.Unlock()
}

// LogSentMessage implements metrics.Reporter. Connection-level totals are
// not kept: the per-stream calls carry the same bytes with their protocol.
func (*BandwidthReporter) LogSentMessage(int64) {}

// LogRecvMessage implements metrics.Reporter; see LogSentMessage.
func (*BandwidthReporter) LogRecvMessage(int64) {}

// GetBandwidthForPeer implements metrics.Reporter; per-peer totals are not
// kept, so it returns zero Stats.
func (*BandwidthReporter) GetBandwidthForPeer(peer.ID) libp2pmetrics.Stats {
	return libp2pmetrics.Stats{}
}

// GetBandwidthForProtocol returns the totals of one protocol (rates are not
// kept and are zero).
func (r *BandwidthReporter) GetBandwidthForProtocol(proto protocol.ID) libp2pmetrics.Stats {
	var s libp2pmetrics.Stats
	for _, p := range r.BandwidthSnapshot().Protocols {
		if p.Protocol == string(proto) {
			addStats(&s, p)
		}
	}
	return s
}

// GetBandwidthTotals returns the totals over all protocols.
func (r *BandwidthReporter) GetBandwidthTotals() libp2pmetrics.Stats {
	var s libp2pmetrics.Stats
	for _, p := range r.BandwidthSnapshot().Protocols {
		addStats(&s, p)
	}
	return s
}

// GetBandwidthByPeer implements metrics.Reporter; per-peer totals are not
// kept, so it returns an empty map.
func (*BandwidthReporter) GetBandwidthByPeer() map[peer.ID]libp2pmetrics.Stats {
	return map[peer.ID]libp2pmetrics.Stats{}
}

// GetBandwidthByProtocol returns the totals of every protocol seen.
func (r *BandwidthReporter) GetBandwidthByProtocol() map[protocol.ID]libp2pmetrics.Stats {
	out := make(map[protocol.ID]libp2pmetrics.Stats)
	for _, p := range r.BandwidthSnapshot().Protocols {
		s := out[protocol.ID(p.Protocol)]
		addStats(&s, p)
		out[protocol.ID(p.Protocol)] = s
	}
	return out
}

// Reset forgets every count.
func (r *BandwidthReporter) Reset() {
	r.mu.Lock()
	r.core = newBandwidth(bandwidthConfig{})
	r.mu.Unlock()
}

// TrimIdle implements metrics.Reporter; there is nothing per peer to trim.
func (*BandwidthReporter) TrimIdle(time.Time) {}

func addStats(s *libp2pmetrics.Stats, p ProtocolBytes) {
	switch p.Direction {
	case DirectionIn:
		s.TotalIn += int64(p.Bytes)
	case DirectionOut:
		s.TotalOut += int64(p.Bytes)
	}
}
