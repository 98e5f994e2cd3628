package selection

import (
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
)

// The client's online state and the causes of lost connections.
//
// A light client on a phone loses every connection when it switches
// between wifi and cellular: status-go closes them all itself
// (wakuv2/waku.go handleNetworkChangeFromApp, DisconnectAllPeers) and
// tells go-waku whether it is online (ConnectionChanged,
// waku/v2/onlinechecker). None of these losses is the service peer's
// failure; counting them would replace every pool member at once and
// bench the whole fleet. So a lost connection is excused when
//   - the client said it is offline (SetOnline(false)), or
//   - the client closed the connection itself (ExpectDisconnect), or
//   - no connection is left at all (the client, not the peer, is cut off),
//     at the loss or at any moment of the DisconnectGrace that follows it,
//     or
//   - the peer is connected again when the grace ends.
//
// Only then is it reported as OutcomeDisconnected, under the protocol's
// ReplacementRule. While offline, the connectivity outcomes a client
// reports (dial failures, timeouts, failed pings) are excused too.

// connectivityOutcomes are the outcomes that say nothing about a peer
// while the client itself has no network.
const connectivityOutcomes = OutcomeSet(1<<OutcomeDialFailed | 1<<OutcomeTimeout | 1<<OutcomeDisconnected |
	1<<OutcomePingFailed | 1<<OutcomeFilterPingFailed)

// expectedDisconnectWindow is how long an ExpectDisconnect stays valid:
// the client closes the connection right after announcing it, so the
// loss arrives within milliseconds; the window only bounds the memory.
const expectedDisconnectWindow = 10 * time.Second

// pendingLoss is a pool member's lost connection waiting for the end of
// DisconnectGrace.
type pendingLoss struct {
	id    peerid.ID
	ref   book.ProtocolRef
	at    time.Time
	epoch uint64 // offline episodes before the loss
}

// SetOnline tells the selector whether the client has network
// connectivity. While offline, lost connections and connectivity
// outcomes are not counted: no member is replaced or benched, pools keep
// their members (not live, so health drops) and find them live again
// when the connections come back. Losses still pending when the client
// goes online again are excused: they happened while it was offline.
func (c *Core) SetOnline(online bool, now time.Time) {
	if c.offline == !online {
		return
	}
	c.offline = !online
	if c.offline {
		c.offlineEpoch++
	}
	for _, pl := range c.poolList {
		c.maintain(pl, "", now)
	}
}

// Online reports the state last set by SetOnline (true at start).
func (c *Core) Online() bool { return !c.offline }

// ExpectDisconnect tells the selector that the client itself is closing
// its connection to id (a network switch, shutting a subscription down):
// the loss that follows is not the peer's failure.
func (c *Core) ExpectDisconnect(id peerid.ID, now time.Time) {
	c.ours[id] = now
}

// lostConnection handles a pool member of protocol ref whose connection
// was found lost at now.
func (c *Core) lostConnection(id peerid.ID, ref book.ProtocolRef, now time.Time) {
	if c.excusedAt(id, now) {
		c.stats.excused++
		return
	}
	if c.cfg.DisconnectGrace == 0 {
		c.report(id, ref, OutcomeDisconnected, now)
		return
	}
	for i := range c.pending {
		if c.pending[i].id == id && c.pending[i].ref == ref {
			c.pending[i].at, c.pending[i].epoch = now, c.offlineEpoch
			return
		}
	}
	c.pending = append(c.pending, pendingLoss{id: id, ref: ref, at: now, epoch: c.offlineEpoch})
}

// excusedAt reports whether a loss of id at now is excused on the spot.
func (c *Core) excusedAt(id peerid.ID, now time.Time) bool {
	if c.offline || c.book.ConnectedPeers().Len() == 0 {
		return true
	}
	at, ok := c.ours[id]
	return ok && !now.Before(at) && now.Sub(at) <= expectedDisconnectWindow
}

// observeConnectivity counts the episodes in which the client has no
// connection at all (each is an offline episode, as SetOnline(false)).
func (c *Core) observeConnectivity() {
	cut := c.book.ConnectedPeers().Len() == 0
	if cut && !c.cut {
		c.offlineEpoch++
	}
	c.cut = cut
}

// settleLosses reports the pending losses whose grace has ended and that
// no cause excused, in the order they happened (deterministic).
func (c *Core) settleLosses(now time.Time) {
	for id, at := range c.ours {
		if now.Sub(at) > expectedDisconnectWindow {
			delete(c.ours, id)
		}
	}
	if len(c.pending) == 0 {
		return
	}
	due := c.due[:0]
	keep := c.pending[:0]
	for _, l := range c.pending {
		if now.Sub(l.at) < c.cfg.DisconnectGrace {
			keep = append(keep, l)
		} else {
			due = append(due, l)
		}
	}
	c.pending = keep
	for _, l := range due {
		if c.isLive(l.id) || c.offline || c.offlineEpoch != l.epoch {
			c.stats.excused++
			continue
		}
		c.report(l.id, l.ref, OutcomeDisconnected, now)
	}
	c.due = due[:0]
}
