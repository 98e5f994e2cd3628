// Package peerexchange implements Waku peer exchange,
// /vac/waku/peer-exchange/2.0.0-alpha1 (rfc-index 34/WAKU2-PEER-EXCHANGE;
// waku-org/specs standards/core/peer-exchange.md): a node asks a service
// node for up to N peers and gets back their ENRs.
//
// It owns:
//   - the wire messages (RPC, Query, Response) with hand-written protobuf
//     encoding, including the status fields that the current spec and nwaku
//     add to the response (status_code = 10, status_desc = 11);
//   - Client.Request: asks one peer, verifies each returned ENR (RLP,
//     signature, size) and keeps those a caller's predicate accepts. A bad
//     ENR is skipped and counted, never fatal to the response; sizes and time
//     are bounded;
//   - Server: a minimal responder that serves ENRs from a callback. The spec
//     forbids answering with the responder's active peers, so what to serve
//     is the caller's decision (a cache of discv5-sampled records).
//
// The protocol carries no cluster or shard: clients filter the ENRs
// themselves (status-go#5344 is what happens otherwise). The predicate used
// by the relay peer manager lives in package discovery (Request.Match); this
// package turns nothing into libp2p addresses and dials nobody.
package peerexchange
