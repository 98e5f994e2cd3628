package selection

import (
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// NotificationKind says what a Notification reports.
type NotificationKind uint8

// Kinds of notifications.
const (
	// NotifyPeerReplaced: Peer left the pool of (Protocol, Shard) because of
	// Outcome; Replacement took its place (empty when no peer was
	// eligible).
	NotifyPeerReplaced NotificationKind = iota + 1
	// NotifyPeerReleased: Peer left the pool because it is no longer
	// eligible (the book says it left the shard or does not serve the
	// protocol, or it disconnected from a connected-only pool); Replacement
	// took its place (empty when no peer was eligible).
	NotifyPeerReleased
	// NotifyPoolDegraded: the pool of (Protocol, Shard) has fewer live
	// (connected) members than its target.
	NotifyPoolDegraded
	// NotifyPoolRestored: the pool is back to its target of live members.
	NotifyPoolRestored
	// NotifyHealthChanged: the light-client health of Shard changed.
	NotifyHealthChanged
	// NotifyStoreNodeChanged: the store node in use on Shard (the first
	// member of the store pool) changed from Peer to Replacement (either
	// may be empty): go-waku's StorenodeChangedEmitter
	// (waku/v2/api/history/cycle.go).
	NotifyStoreNodeChanged
	// NotifyStoreNodeNotWorking: the store node Peer was replaced because
	// of Outcome (StorenodeNotWorkingEmitter).
	NotifyStoreNodeNotWorking
	// NotifyStoreNodeAvailable: Shard has a store node again (Peer) after
	// having none (StorenodeAvailableEmitter).
	NotifyStoreNodeAvailable
)

var notificationText = [...]string{"", "peer-replaced", "peer-released", "pool-degraded", "pool-restored", "health-changed",
	"store-node-changed", "store-node-not-working", "store-node-available"}

func (k NotificationKind) String() string {
	if k != 0 && int(k) < len(notificationText) {
		return notificationText[k]
	}
	return "notification?"
}

// Notification tells the client that a pool or a shard's health changed:
// an output of the Core (Core.Notifications), never an input. The selector
// shell delivers them without ever blocking: a client that does not keep up
// loses notifications (counted), never stalls selection; the current state
// is always readable with Pool and Health.
type Notification struct {
	Kind     NotificationKind
	Protocol string
	Shard    shardmesh.Shard
	// Peer is the replaced peer (NotifyPeerReplaced).
	Peer peerid.ID
	// Replacement is the peer that took its place, if any.
	Replacement peerid.ID
	// Outcome caused the replacement.
	Outcome Outcome
	// Live and Target are the pool's live members and target size after
	// the change (pool notifications).
	Live, Target int
	// Health is the shard's new light-client health (NotifyHealthChanged).
	Health LightHealth
}
