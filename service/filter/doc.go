// Package filter owns the libp2p shell of a filter v2 server
// (rfc-index 12/WAKU2-FILTER): it answers /vac/waku/filter-subscribe/2.0.0-beta1
// requests (ping, subscribe, unsubscribe, unsubscribe-all) and pushes
// relayed messages to subscribers on /vac/waku/filter-push/2.0.0-beta1.
//
// Every subscription holds a lease of the filter slot pool of a
// slots/gater.Gater: a subscribe that the pool refuses is answered with the
// pool's status (503 no slot, 429 over the client's own limit), a ping
// refreshes the lease, and a subscription ends when its lease does (the
// client stopped pinging for the pool's TTL, unsubscribed or disconnected).
// Pushes go through a bounded queue per subscriber and never dial: a full
// queue drops the push and counts it, so a gone or slow client blocks
// nothing. The subscription state is the pure service/subscriptions.Table.
//
// It does not relay: the node feeds it what its relay receives (Deliver or
// Feed).
package filter
