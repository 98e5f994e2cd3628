// Package selection owns the service-peer selection of a Waku light client:
// the pure Core, its Config and presets, Request, Outcome, Policy, Notification, Stats and light-client health.
//
// The Core chooses filter, light-push, store and peer-exchange peers per
// (protocol, shard) from the peer book's indexes (peermanager/book), keeps
// them in sticky pools until they fail, replaces them by the
// p2p-reliability rules (ReplacementRule: counted failures, immediate
// outcomes such as 421 and 429) and benches a replaced peer for the
// protocol for a while (ReplacementRule.BenchFor, Core.BenchedUntil).
// Policy is the order in which eligible peers are tried (connected first,
// random, lowest RTT, pinned first). From the live members of the filter
// and light-push pools it grades each shard's LightHealth. DefaultConfig
// (WakupmPreset) is our configuration; JSWakuPreset and GoWakuPreset
// reproduce the other clients' choices in the same Core, for the
// conformance suite (rfc/conformance); StatusPreset is ours for a
// status-go-like client (cluster 16, light push v2 and v3).
//
// For the clients that adopt it: the online state and the causes of lost
// connections (SetOnline, ExpectDisconnect, Config.DisconnectGrace:
// online.go), light push v2 next to v3 (OutcomeOfLightPushV2, Speaks:
// lightpush.go), shards of interest with health before any Select
// (Config.Shards, DeclareShard: shards.go), runtime pins (Pin, PinFor:
// pins.go) and the store-node cycle's choice and notifications
// (PolicyFastest, ProbeCandidates, StoreNode: storenode.go).
//
// A shell drives it with the current time as the last argument: book
// changes followed by PeerUpdated (connected, disconnected, identified,
// metadata, discovered), Select, Report (the Outcome of using a peer),
// ReportPeer (a failed keep-alive ping) and Tick; it drains the Core's
// Notifications (outputs, never inputs: replaced and released peers, pool
// degradation, health changes). peermanager/selector is that shell for
// go-libp2p; a client on another libp2p writes its own with the same calls.
//
// The package is pure: peers are peerid.ID, protocols strings, shards
// shardmesh.Shard; the Core reads no clock, does no I/O, starts no
// goroutine and draws its randomness from a seeded generator. It owns no
// book record: its per-peer state (pools, failure counts, benching) lives
// on its side, and pool members are only marked Keep in the book.
package selection
