// Package enr owns the Waku entries of an Ethereum Node Record: rs and rsv
// (relay shards), waku2 (capabilities) and multiaddrs, their codecs, and
// reading them from and writing them to a go-ethereum enr.Record.
//
// It does not discover nodes (package peermanager/discovery) and does not
// define shards or capabilities (package shardmesh). It imports
// go-ethereum's p2p/enr and rlp, and go-multiaddr for the multiaddrs entry.
// Every decoder is safe with untrusted input: it returns an *Error and never
// panics.
//
// The formats follow what nwaku and go-waku do where the specs
// (RELAY-SHARDING, WAKU2-ENR in waku-org/specs) are ambiguous:
//
//   - rsv puts shard s in value byte 2+s/8 under mask 1<<(s%8) (EncodeRSV
//     explains the disagreement with the spec text and with js-waku).
//   - SetRelayShards writes rs below 64 shards and rsv from 64 on, never
//     both; RelayShardsFromRecord reads rs when present and otherwise rsv.
//   - Decoders return indexes sorted and unique; DecodeRSSet and
//     DecodeRSVSet decode into a shardmesh.ShardSet without allocating.
//   - Every record reader returns *Error; errors.Is(err, ErrFieldAbsent)
//     tells a missing field from a malformed one.
//
// The package name is go-ethereum's: import one of the two under another
// name (this package's code calls go-ethereum's gethenr).
package enr
