package wakugossip

import (
	"crypto/sha256"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
)

// Mesh degrees and timings of Waku relay. Sources: 29/WAKU2-CONFIG and nwaku
// waku/waku_relay/protocol.nim:90-141 (GossipsubParams); go-waku
// waku/v2/protocol/relay/config.go:77-116.
const (
	// D is the target mesh degree (29/WAKU2-CONFIG, nwaku).
	D = 6
	// Dlo is the mesh degree below which gossipsub grafts more peers; it is
	// also the default threshold of a SufficientlyHealthy shard.
	Dlo = 4
	// Dhi is the mesh degree above which gossipsub prunes.
	Dhi = 8
	// Dscore is the number of best-scoring peers kept when pruning (nwaku).
	Dscore = 6
	// Dlazy is the gossip fan-out (nwaku: 6, spec: D).
	Dlazy = 6
	// Dout is the minimum number of outbound mesh peers. The Waku documents
	// say 3, which go-libp2p-pubsub >= v0.15 rejects for D=6 (it requires
	// Dout < D/2); 2 is the largest accepted value.
	Dout = 2
	// HistoryLength and HistoryGossip are the message cache windows (nwaku 6/3).
	HistoryLength = 6
	HistoryGossip = 3
	// HeartbeatInterval is the gossipsub heartbeat (spec, nwaku, go-waku).
	HeartbeatInterval = time.Second
	// PruneBackoff is how long a pruned peer may not be re-grafted.
	PruneBackoff = time.Minute
	// UnsubscribeBackoff is the backoff after leaving a topic (nwaku, go-waku: 5 s).
	UnsubscribeBackoff = 5 * time.Second
	// SeenMessagesTTL is how long a message id is remembered (spec: 2 min).
	SeenMessagesTTL = 2 * time.Minute
	// GossipFactor is the fraction of peers gossiped to (spec: 0.25).
	GossipFactor = 0.25
)

// Params returns the GossipSub router parameters of Waku relay: the library
// defaults with the degrees, history and backoffs above. The result passes
// go-libp2p-pubsub v0.19's validation.
func Params() pubsub.GossipSubParams {
	p := pubsub.DefaultGossipSubParams()
	p.D, p.Dlo, p.Dhi = D, Dlo, Dhi
	p.Dscore, p.Dlazy, p.Dout = Dscore, Dlazy, Dout
	p.HistoryLength, p.HistoryGossip = HistoryLength, HistoryGossip
	p.HeartbeatInterval = HeartbeatInterval
	p.PruneBackoff = PruneBackoff
	p.UnsubscribeBackoff = UnsubscribeBackoff
	p.GossipFactor = GossipFactor
	return p
}

// MessageID is the Waku relay message id: the SHA-256 of the message data
// (11/WAKU2-RELAY; nwaku waku/waku_relay/message_id.nim). Because Waku messages
// carry no author and no sequence number, the default id (source + seqno)
// would collide.
func MessageID(m *pb.Message) string {
	sum := sha256.Sum256(m.GetData())
	return string(sum[:])
}

// Options returns the pubsub options of a Waku relay node: Params, the
// SHA-256 message id, StrictNoSign without author (11/WAKU2-RELAY forbids
// signatures and author fields), flood publish, and the 2 min seen-cache TTL.
// Append your own options (tracers, peer scoring, discovery) after these; a
// later option overrides an earlier one that sets the same field.
func Options() []pubsub.Option {
	return []pubsub.Option{
		pubsub.WithGossipSubParams(Params()),
		pubsub.WithMessageIdFn(MessageID),
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithFloodPublish(true),
		pubsub.WithSeenMessagesTTL(SeenMessagesTTL),
	}
}
