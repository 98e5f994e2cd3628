// Package metadata implements the Waku metadata protocol,
// /vac/waku/metadata/1.0.0 (rfc-index 66/WAKU2-METADATA; waku-org/specs
// standards/core/metadata.md): on a new connection each side learns the
// other's cluster and relay shards in one request/response exchange.
//
// It owns:
//   - the wire message (Metadata, Marshal, Unmarshal): protobuf with
//     field 1 optional uint32 cluster_id, field 2 repeated uint32 shards
//     (unpacked, deprecated) and field 3 repeated uint32 shards (packed).
//     We write both shard fields, as nwaku (since #2511) and go-waku do, and
//     read field 3 in preference to field 2;
//   - the length-delimited (unsigned varint) framing with bounded sizes and a
//     timeout on every exchange;
//   - Service: the stream handler answering with our cluster and shards (the
//     shards come from a function, so they follow subscriptions) and the
//     client call Request(ctx, peer);
//   - Policy.Decide: a pure function saying what to do with a result
//     (keep, or disconnect and why), following the spec: a different cluster
//     disconnects; a shard mismatch alone never does; a failed request or a
//     missing cluster disconnects only under the strict rules of The Waku
//     Network (64/WAKU2-NETWORK), which Policy applies to cluster 1 by default.
//
// It does not decide when to ask (the relay Manager asks on each new
// connection), does not store the answers (the peer book does) and does not
// close connections itself: Decide returns an action and the caller carries
// it out.
package metadata
