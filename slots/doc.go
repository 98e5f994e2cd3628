// Package slots owns the pure decisions of a Waku node's connection budget:
// the Budget split, the service slot Pools and the connection Ledger.
//
// It keeps a predictable number of connections open for the clients of a
// node's services (filter, light push, and optionally store and peer
// exchange) next to its relay peers:
//
//   - Budget: how a node's connection limit splits into an inbound and an
//     outbound relay target and reserved slots per service protocol.
//     NewBudget derives our default (nwaku's 60:40 ratio, actually applied,
//     never fewer than gossipsub Dhi relay peers); NwakuBudget and
//     GoWakuBudget reproduce the other implementations' splits. Validate
//     rejects every split that cannot work and says what to change.
//   - Pool: the slot pool of one service. It grants leases up to its
//     capacity with caps per peer and per address prefix (/24, /64), expires
//     a lease TTL after its last activity (a filter ping, a served request),
//     frees it at once on release, and refuses with a typed *Rejection whose
//     Reason maps to the protocol status code (503 no slot, 429 over the
//     client's own limit).
//   - Ledger: the connection-level core. It classifies connected peers
//     (pending, relay, service client, outbound, closing) against the
//     Budget and says which connection to refuse or close and why (a
//     Refusal): an inbound peer beyond the relay target is accepted only
//     while a reserved slot is free and is closed after a grace period
//     unless it takes a lease or shows it is a relay peer; colocation caps
//     apply per address prefix and, looser, per IPv6 site; counts change
//     only when a connection completes or closes, so they cannot drift.
//
// Relay peers never take reserved slots (pools refuse them, and a relay peer
// beyond RelayInbound is closed rather than kept in a reserved slot) and
// service clients never evict relay peers (nothing closes a relay or an
// outbound peer to make room).
//
// Everything here is pure: peers are peerid.ID values, addresses netip
// values, protocol ids strings; no call reads a clock (every one that needs
// the time takes now as its last argument), does I/O or starts a goroutine.
// The libp2p shell that drives a Ledger and the Pools from a host's
// connections and streams is package slots/gater.
//
// The package does not pick which relay peers to keep or dial (that is
// peermanager's relay core, which reads the Budget), does not speak the
// filter or light-push wire protocols (the server writes the status code a
// Rejection carries), and does not rate-limit requests inside a lease.
package slots
