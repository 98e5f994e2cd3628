package relay

import (
	"strconv"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// ActionKind says what an Action asks the shell to do.
type ActionKind uint8

// Kinds of actions.
const (
	// ActDial: connect to Peer (addresses from the peerstore).
	ActDial ActionKind = iota + 1
	// ActDisconnect: close every connection to Peer, for Reason.
	ActDisconnect
	// ActDiscover: find Count more peers on Shard (on-demand discovery).
	ActDiscover
	// ActProtect: protect Peer in the connection manager under the core's
	// tag: losing it would take a shard under its floor.
	ActProtect
	// ActUnprotect: remove that protection.
	ActUnprotect
	// ActNotify: a notification for observers (Notice), nothing to execute.
	ActNotify
)

var actionText = [...]string{"", "dial", "disconnect", "discover", "protect", "unprotect", "notice"}

func (k ActionKind) String() string {
	if int(k) < len(actionText) && k != 0 {
		return actionText[k]
	}
	return "action?"
}

// DisconnectReason says why the core disconnects a peer.
type DisconnectReason uint8

// Disconnect reasons.
const (
	ReasonNone DisconnectReason = iota
	// ReasonPruneNoShard: above target, the peer serves none of our shards.
	ReasonPruneNoShard
	// ReasonPruneOverServed: above target, the peer is on over-served shards.
	ReasonPruneOverServed
	// ReasonInboundExcess: above the inbound target (nwaku, go-waku policy).
	ReasonInboundExcess
	// ReasonClusterMismatch: metadata says the peer is on another cluster.
	ReasonClusterMismatch
	// ReasonMetadataFailed: the metadata exchange failed where the policy
	// requires it (The Waku Network, nwaku).
	ReasonMetadataFailed
	// ReasonColocation: too many connected peers share the peer's IP.
	ReasonColocation
	// ReasonUnsubscribed: the peer served only a shard we left (go-waku).
	ReasonUnsubscribed
	// ReasonNoShards: a relay peer advertising no shard (go-waku).
	ReasonNoShards
	// ReasonOffShard: a subscribed shard is short and the peer, which
	// announced none of our shards in gossipsub, held a slot at its
	// direction's target (Config.EvictOffShard).
	ReasonOffShard
	// ReasonShardMismatch: the peer joined one of our shard topics in
	// gossipsub while its metadata lists none of our shards
	// (Config.DisconnectOnShardMismatch, go-waku).
	ReasonShardMismatch
	numReasons
)

var reasonText = [...]string{"none", "prune-no-shard", "prune-over-served", "inbound-excess",
	"cluster-mismatch", "metadata-failed", "colocation", "unsubscribed", "no-shards", "off-shard",
	"shard-mismatch"}

func (r DisconnectReason) String() string {
	if int(r) < len(reasonText) {
		return reasonText[r]
	}
	return "reason?"
}

// DisconnectReasons lists every reason, for metrics.
func DisconnectReasons() []DisconnectReason {
	out := make([]DisconnectReason, 0, numReasons-1)
	for r := ReasonPruneNoShard; r < numReasons; r++ {
		out = append(out, r)
	}
	return out
}

// NoticeKind is the subject of an ActNotify action.
type NoticeKind uint8

// Notices.
const (
	NoticeNone NoticeKind = iota
	// NoticeShardBelowFloor: Shard has fewer connected relay peers than its
	// floor (sent when it enters that state).
	NoticeShardBelowFloor
	// NoticeShardAtFloor: Shard reached its floor again.
	NoticeShardAtFloor
	// NoticePeerForgotten: Peer was removed from the book (too many failed
	// dials, or another cluster); the shell may clear its peerstore entry.
	NoticePeerForgotten
)

var noticeText = [...]string{"none", "shard-below-floor", "shard-at-floor", "peer-forgotten"}

func (n NoticeKind) String() string {
	if int(n) < len(noticeText) {
		return noticeText[n]
	}
	return "notice?"
}

// Action is one thing the core asks its shell to do. Only the fields its
// Kind names are set.
type Action struct {
	Kind   ActionKind
	Peer   peerid.ID
	Shard  shardmesh.Shard
	Count  int
	Reason DisconnectReason
	Notice NoticeKind
}

// String formats the action as the conformance scenarios write it, e.g.
// "dial p1", "disconnect p3 prune-over-served", "discover 5 8",
// "notice shard-below-floor 5". Peer ids are written as raw strings.
func (a Action) String() string {
	switch a.Kind {
	case ActDial, ActProtect, ActUnprotect:
		return a.Kind.String() + " " + string(a.Peer)
	case ActDisconnect:
		return "disconnect " + string(a.Peer) + " " + a.Reason.String()
	case ActDiscover:
		return "discover " + strconv.Itoa(int(a.Shard.Index)) + " " + strconv.Itoa(a.Count)
	case ActNotify:
		if a.Notice == NoticePeerForgotten {
			return "notice " + a.Notice.String() + " " + string(a.Peer)
		}
		return "notice " + a.Notice.String() + " " + strconv.Itoa(int(a.Shard.Index))
	}
	return a.Kind.String()
}
