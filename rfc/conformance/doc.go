// Package conformance is the Waku peer-management conformance suite: plain
// text scenario files (one event or expectation a line, README.md describes
// the format), a parser, and a runner that plays them against an
// implementation through a Driver.
//
// Suites share the format and differ in vocabulary: the relay suite
// (scenarios/relay, RelaySuite) drives relay.Core under each of its
// presets (wakupm, nwaku, nwaku-sharded, gowaku), so the same scenario
// states where the policies agree and where they differ. Another suite (for
// example the service-peer selector, scenarios/selector) plugs in with its
// own Suite and Driver; another implementation plugs in with a Driver that
// forwards lines to it.
//
// It owns the format and the runner; it does not own the policies it
// checks (package peermanager) nor any network I/O.
package conformance
