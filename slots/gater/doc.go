// Package gater owns the libp2p shell of package slots: the Gater, a
// go-libp2p ConnectionGater and network notifiee that enforces a slots.Budget.
//
// It feeds a slots.Ledger the host's connection events (accept, dial,
// secured handshake, connected, disconnected), marks peers as relay peers
// when identify lists a relay protocol (from the host's event bus, in Run),
// closes the peers the ledger names, and owns one slots.Pool per service:
// Admit, AdmitPeer and Handler are what a filter, light-push, store or
// peer-exchange server calls when a stream arrives.
//
// Every decision is the pure package slots' (Budget, Pool, Ledger); this
// package only converts libp2p values (peer.ID to peerid.ID, multiaddrs to
// netip addresses, network.Direction to slots.Direction), reads the clock
// and does the I/O. A node on another libp2p version can write its own shell
// over the same Ledger and Pools.
package gater
