// Package protected implements the protected shards of STATUS-SIMPLE-SCALING
// ("DoS Protection"; vacp2p/rfc-index docs/archived/status/raw/simple-scaling.md):
// a relay shard whose messages must carry, in WakuMessage.meta, a signature
// by the shard's secp256k1 key. Publishers share the private key; relays
// hold only the public key and reject what it did not sign, so a spammer
// without the key is cut off at the first hop and penalised by gossipsub
// (P4, invalid messages).
//
// It owns:
//   - Message, Unmarshal and Marshal: the WakuMessage fields of
//     14/WAKU2-MESSAGE (payload 1, content_topic 2, version 3, timestamp 10
//     as sint64, meta 11, ephemeral 31) with protowire, and MessageHash, the
//     deterministic message hash of the same spec;
//   - SigningHash: SHA-256 of pubsub topic ‖ payload ‖ content topic ‖
//     timestamp (8 bytes little-endian) ‖ ephemeral (1 byte), meta excluded;
//   - PublicKey, PrivateKey and Signer: 64-byte r ‖ s signatures,
//     deterministic (RFC 6979) and low-s, without the recovery byte;
//   - Validator: the relay-side check, pure (the caller passes now; no
//     clock, no I/O, no goroutine) and safe for concurrent use, and its key
//     rotation with a window where the previous key is still accepted.
//
// The spec's test vector (key pair, message, hash and signature) and the
// deterministic-hash vectors of 14/WAKU2-MESSAGE are checked in the tests.
//
// # Validation
//
// In the spec's order: Reject when the timestamp is 0, when |now −
// timestamp| exceeds the window (5 min), when meta is not 64 bytes, or when
// the signature does not verify; otherwise Accept. Like nwaku
// (waku/factory/validator_signed.nim) and go-waku
// (waku/v2/protocol/relay/validators.go), undecodable data is rejected too.
//
// On top of the spec, replays are de-duplicated over the whole window.
// nwaku and go-waku rely on gossipsub's seen cache, whose TTL (2 min) is
// shorter than the window (5 min): a captured message can be replayed
// verbatim 2 to 5 minutes later and is relayed again. Worse, the signature
// covers neither the version nor unknown fields, so a copy with a different
// version is a new gossipsub message (new bytes, new SHA-256 id) with a
// valid signature, relayed at once. The Validator remembers the signing
// hash of every accepted message until its timestamp leaves the window and
// Ignores (drops without penalty: an honest peer may forward such a copy)
// any later message with the same hash. The check runs before signature
// verification, so replays cost no elliptic-curve work, and only verified
// messages are remembered, so only key holders can fill the bounded cache.
// WithoutReplayProtection restores the other implementations' behaviour.
//
// # Key rotation
//
// The spec gives a shard one key ("only one key is whitelisted per pubsub
// topic") and says nothing about changing it; replacing it everywhere at
// the same instant is impossible, and in between a relay with the new key rejects
// (and gossipsub penalises) the publishers still on the old key, and the
// reverse. Validator.Rotate installs a new key and keeps the replaced one
// accepted until a deadline the caller chooses: relays rotate first, the
// publishers switch within the window, and from the deadline on only the
// new key verifies. Messages accepted under the old key count as
// ReasonValidPreviousKey, so an operator sees when that traffic stops. One
// previous key at most is kept, and only during the window is more than
// one key accepted; outside it, and for messages under the current key,
// validation costs what it did with one key.
//
// # Where it lives
//
// The package is under shardmesh, not under examples/qanode which uses it,
// because node implementations embedding wakupm need the same validator and
// nothing may import examples/. It depends only on go-ethereum's secp256k1
// and protowire; the gossipsub adapter (a pubsub.ValidatorEx calling
// Validate with time.Now and mapping the Result) is a few lines in the
// node's shell, so this package does not import go-libp2p-pubsub.
package protected
