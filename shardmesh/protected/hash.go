package protected

import (
	"crypto/sha256"
	"encoding/binary"
)

// Hash is a SHA-256 digest.
type Hash [32]byte

// SigningHash is the app-message-hash that a protected shard's key signs
// (STATUS-SIMPLE-SCALING, "DoS Protection", vacp2p/rfc-index
// docs/archived/status/raw/simple-scaling.md; nwaku
// waku/factory/validator_signed.nim msgHash; go-waku
// waku/v2/protocol/relay/validators.go msgHash): SHA-256 over the pubsub
// topic, the payload, the content topic, the timestamp as 8 little-endian
// bytes and the ephemeral flag as one byte (1 or 0). Meta, which carries the
// signature, and the version are not covered.
func SigningHash(pubsubTopic string, m *Message) Hash {
	h := sha256.New()
	h.Write([]byte(pubsubTopic))
	h.Write(m.Payload)
	h.Write([]byte(m.ContentTopic))
	var ts [8]byte
	binary.LittleEndian.PutUint64(ts[:], uint64(m.Timestamp))
	h.Write(ts[:])
	if m.Ephemeral {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
	var out Hash
	h.Sum(out[:0])
	return out
}

// MessageHash is the deterministic message hash of 14/WAKU2-MESSAGE
// ("Deterministic message hashing"), which store and the REST APIs of
// nwaku and go-waku use as a message's identity: SHA-256 over the pubsub
// topic, the payload, the content topic, the meta attribute and the
// timestamp as 8 big-endian bytes (nwaku waku/waku_core/message/digest.nim,
// computeMessageHash; TestMessageHashVectors checks the spec's test vectors).
func MessageHash(pubsubTopic string, m *Message) Hash {
	h := sha256.New()
	h.Write([]byte(pubsubTopic))
	h.Write(m.Payload)
	h.Write([]byte(m.ContentTopic))
	h.Write(m.Meta)
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(m.Timestamp))
	h.Write(ts[:])
	var out Hash
	h.Sum(out[:0])
	return out
}

// String returns the hash as 0x-prefixed hex, as the Waku REST APIs print it.
func (h Hash) String() string {
	const digits = "0123456789abcdef"
	b := make([]byte, 2+2*len(h))
	b[0], b[1] = '0', 'x'
	for i, c := range h {
		b[2+2*i], b[3+2*i] = digits[c>>4], digits[c&0xf]
	}
	return string(b)
}
