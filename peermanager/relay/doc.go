// Package relay owns the relay peer-management decisions of a Waku node: the
// pure Core (events in, actions out), its Config, presets, dial/prune/backoff rules and Stats.
//
// The Core keeps per-shard floors (Dlo connected relay peers, Dout of them
// outbound, on every subscribed shard; a peer on several shards counts for
// each) and global targets from the slots budget; it dials greedily by
// coverage of the shards under their floor, prunes Lighthouse-style without
// taking a shard under its floor (with a bounded exact search when the
// greedy order falls short), backs off failed dials exponentially with
// jitter, and asks for de-duplicated on-demand discovery. WakupmPreset is
// that policy; NwakuPreset, NwakuShardedPreset and GoWakuPreset reproduce
// the other implementations' policies in the same Core, for the
// conformance suite (rfc/conformance) and the simulator.
//
// A shell drives it: it feeds Events (subscriptions, discovery,
// connections, identify, metadata, gossipsub announcements, dial outcomes,
// mesh health, connectivity, RTT, service-peer use, target changes, Tick at
// Core.NextTick) with the current time, and carries out the returned
// Actions (dial, disconnect, discover, protect, unprotect; notices).
// peermanager.Manager is that shell for go-libp2p; a node on another libp2p
// writes its own with the same calls.
//
// The package is pure: peers are peerid.ID, protocols strings, IPs
// netip.Addr; the Core reads no clock, does no I/O, starts no goroutine and
// draws its randomness from a seeded generator. It keeps its own per-peer
// state (prune cooldown, protection, service use, early-close window) next
// to the peer book (peermanager/book) it owns, never in the book's records.
package relay
