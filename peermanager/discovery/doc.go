// Package discovery gives the relay peer manager one small interface for
// finding peers, Source, and the adapters behind it:
//
//   - Static: peers configured by the operator;
//   - PeerExchange: asks connected service nodes over
//     /vac/waku/peer-exchange/2.0.0-alpha1 (package peerexchange) and keeps
//     the records that match;
//   - Discv5: random walks of a go-ethereum discv5 listener running the Waku
//     protocol id "d5waku" (33/WAKU2-DISCV5), filtered by the request;
//   - Union: asks several sources at once and merges their answers.
//
// A Request names a cluster, the shards wanted (any one of them will do), the
// capabilities required and how many candidates to return. Request.MatchNode
// is the ENR predicate every adapter applies (33/WAKU2-DISCV5 and WAKU2-ENR:
// drop records whose waku2 field is missing or zero; then same cluster, a
// shared shard, every required capability bit). A Candidate carries what the
// peer book needs: the libp2p AddrInfo derived from the ENR, the advertised
// cluster, shards and capabilities, and where it came from.
//
// How the Manager uses it: on a discover action it calls Find, which returns
// at once with a channel. Each search runs on one goroutine owned by the
// source; it sends at most Request.N candidates into a channel buffered for
// N, so it never blocks on a slow reader, and closes the channel when it is
// done (N found, nothing more to find, the context ended, or the source
// closed). Closing the channel is the "discovery done" signal. Every adapter
// has Close, which stops its searches and waits for their goroutines.
//
// CountingConn wraps discv5's UDP socket and counts its bytes and datagrams
// by direction, for bandwidth reports (discv5 runs outside libp2p's streams).
//
// This package does not dial, does not store peers and does not decide when
// to search: the relay Core does, one request in flight per shard.
package discovery
