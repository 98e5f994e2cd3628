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
//   - Gater: the libp2p shell, built around the pure Ledger. As the host's
//     go-libp2p connmgr.ConnectionGater and network notifiee it enforces the
//     budget at connection level: an inbound peer beyond the relay target is
//     accepted only while a reserved slot is free and is closed after a
//     grace period unless it takes a lease or identify shows it is a relay
//     peer; per-address colocation limits apply; counts change only when a
//     connection completes or closes, so they cannot drift. Its Admit and
//     Handler are what a filter or light-push server calls when a stream
//     arrives.
//
// Relay peers never take reserved slots (pools refuse them, and a relay peer
// beyond RelayInbound is closed rather than kept in a reserved slot) and
// service clients never evict relay peers (nothing closes a relay or an
// outbound peer to make room).
//
// The package does not pick which relay peers to keep or dial (that is
// peermanager's relay core, which reads the Budget), does not speak the
// filter or light-push wire protocols (the server writes the status code a
// Rejection carries), and does not rate-limit requests inside a lease.
package slots
