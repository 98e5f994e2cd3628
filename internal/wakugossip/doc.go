// Package wakugossip builds the go-libp2p-pubsub GossipSub configuration that
// Waku relay uses: mesh degrees, heartbeat, backoffs, seen-cache TTL, flood
// publish, SHA-256 message ids and unsigned, author-less messages, and the
// Waku relay protocol id (RelayProtocol).
//
// It is shared by tests (internal/simhost), the simulator and the Manager
// examples so that every GossipSub instance in this repository speaks Waku
// relay the same way. It does not create hosts, join topics or configure
// peer scoring thresholds beyond exposing the Waku values.
//
// One deliberate deviation from the Waku documents: go-libp2p-pubsub >= v0.15
// rejects Dout >= D/2, so Dout is 2 instead of the 3 that 29/WAKU2-CONFIG and
// nwaku use (see Params).
package wakugossip
