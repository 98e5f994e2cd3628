// Package conformance is the Waku peer-management conformance suite: plain
// text scenario files (one event or expectation a line, each naming the RFC
// rule it checks; README.md has the format and grammar), their parser, the
// language-neutral driver protocol (PROTOCOL.md) on both sides (Server for
// a driver, Remote for the runner), and the runner that plays every
// scenario and wire vector against every implementation and aggregates the
// checks into a rule × implementation matrix (text, JSON, JUnit XML).
//
// The built-in driver serves the profiles wakupm, rfc and the presets that
// reproduce nwaku, go-waku and js-waku, over the pure cores (relay.Core,
// selection.Core, shardmesh.Tracker, the slots budget, ledger and pools)
// and wakupm's wire decoders (package vectors). Another implementation
// plugs in as a driver process speaking PROTOCOL.md.
//
// It owns the format, the protocol and the runner; it does not own the
// policies it checks (packages peermanager, shardmesh, slots), the wire
// vectors (package vectors) nor any network I/O.
package conformance
