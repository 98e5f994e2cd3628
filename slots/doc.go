// Package slots keeps a predictable number of connections open for the
// clients of a Waku node's services (filter, light push, and optionally store
// and peer exchange) next to its relay peers.
//
// It owns:
//
//   - Budget: how a node's connection limit splits into an inbound and an
//     outbound relay target and reserved slots per service protocol.
//     NewBudget derives our default (nwaku's 60:40 ratio, actually applied,
//     never fewer than gossipsub Dhi relay peers); NwakuBudget and
//     GoWakuBudget reproduce the other implementations' splits. Validate
//     rejects every split that cannot work and says what to change.
//   - Pool: the pure slot pool of one service. It grants leases up to its
//     capacity with caps per peer and per address prefix (/24, /64), expires
//     a lease TTL after its last activity (a filter ping, a served request),
//     frees it at once on release, and refuses with a typed *Rejection whose
//     Reason maps to the protocol status code (503 no slot, 429 over the
//     client's own limit). It reads no clock: every call takes now.
//
// Relay peers never take reserved slots (a pool refuses them) and service
// clients never evict relay peers (a pool never evicts anything).
//
// The package does not pick which relay peers to keep or dial (that is
// peermanager's relay core, which reads the Budget), does not speak the
// filter or light-push wire protocols (the server writes the status code a
// Rejection carries), and does not rate-limit requests inside a lease.
package slots
