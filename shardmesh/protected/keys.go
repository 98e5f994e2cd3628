package protected

import (
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
)

// ErrInvalidKey is wrapped by every key parsing error: the text is not the
// hex of a secp256k1 key of the expected form.
var ErrInvalidKey = errors.New("protected: invalid secp256k1 key")

// PublicKey is a protected shard's secp256k1 public key, which relays hold
// to verify messages.
type PublicKey struct {
	uncompressed [65]byte
}

// ParsePublicKey reads a hex public key, with or without 0x, in the
// uncompressed 65-byte form (04 ‖ X ‖ Y, what nwaku's --protected-shard and
// go-waku's --protected-topic take) or the compressed 33-byte form.
func ParsePublicKey(s string) (PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"))
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: public key is not hex: %v", ErrInvalidKey, err)
	}
	var pub *ecdsa.PublicKey
	switch len(b) {
	case 65:
		pub, err = crypto.UnmarshalPubkey(b)
	case 33:
		pub, err = crypto.DecompressPubkey(b)
	default:
		return PublicKey{}, fmt.Errorf("%w: public key has %d bytes; want 65 (uncompressed, 04 ‖ X ‖ Y) or 33 (compressed)", ErrInvalidKey, len(b))
	}
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: public key is not a point of secp256k1: %v", ErrInvalidKey, err)
	}
	return publicKeyOf(pub), nil
}

func publicKeyOf(pub *ecdsa.PublicKey) PublicKey {
	var k PublicKey
	copy(k.uncompressed[:], crypto.FromECDSAPub(pub))
	return k
}

// IsZero reports whether k is the zero value (no key).
func (k PublicKey) IsZero() bool { return k.uncompressed[0] == 0 }

// Bytes returns the 65-byte uncompressed encoding.
func (k PublicKey) Bytes() []byte { return append([]byte(nil), k.uncompressed[:]...) }

// Hex returns the uncompressed key as 0x-prefixed hex.
func (k PublicKey) Hex() string { return "0x" + hex.EncodeToString(k.uncompressed[:]) }

// Verify reports whether sig, 64 bytes r ‖ s, is a signature of digest by k.
// High-s signatures are refused, as libsecp256k1 (nwaku, go-waku with cgo)
// and go-ethereum's pure Go verifier refuse them, so that nobody but the key
// holder can derive a second valid signature from one seen on the wire.
func (k PublicKey) Verify(digest Hash, sig []byte) bool {
	if k.IsZero() || len(sig) != 64 {
		return false
	}
	return crypto.VerifySignature(k.uncompressed[:], digest[:], sig)
}

// PrivateKey is a protected shard's secp256k1 private key, which the
// shard's publishers share.
type PrivateKey struct {
	key *ecdsa.PrivateKey
}

// ParsePrivateKey reads a 32-byte hex private key, with or without 0x.
func ParsePrivateKey(s string) (PrivateKey, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"))
	if err != nil {
		return PrivateKey{}, fmt.Errorf("%w: private key is not hex: %v", ErrInvalidKey, err)
	}
	if len(b) != 32 {
		return PrivateKey{}, fmt.Errorf("%w: private key has %d bytes; want 32", ErrInvalidKey, len(b))
	}
	key, err := crypto.ToECDSA(b)
	if err != nil {
		return PrivateKey{}, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return PrivateKey{key: key}, nil
}

// GenerateKey returns a new random private key (from crypto/rand).
func GenerateKey() (PrivateKey, error) {
	key, err := crypto.GenerateKey()
	if err != nil {
		return PrivateKey{}, fmt.Errorf("protected: generating a key: %w", err)
	}
	return PrivateKey{key: key}, nil
}

// IsZero reports whether k is the zero value (no key).
func (k PrivateKey) IsZero() bool { return k.key == nil }

// Public returns the matching public key.
func (k PrivateKey) Public() PublicKey {
	if k.key == nil {
		return PublicKey{}
	}
	return publicKeyOf(&k.key.PublicKey)
}

// Hex returns the private key as 0x-prefixed hex. Treat it as a secret.
func (k PrivateKey) Hex() string {
	if k.key == nil {
		return ""
	}
	return "0x" + hex.EncodeToString(crypto.FromECDSA(k.key))
}

// Sign returns the 64-byte r ‖ s signature of digest: deterministic
// (RFC 6979, libsecp256k1's default nonce) and low-s, without the recovery
// byte, as STATUS-SIMPLE-SCALING and go-waku's SignMessage produce it.
func (k PrivateKey) Sign(digest Hash) ([]byte, error) {
	if k.key == nil {
		return nil, fmt.Errorf("%w: no private key", ErrInvalidKey)
	}
	sig, err := crypto.Sign(digest[:], k.key)
	if err != nil {
		return nil, fmt.Errorf("protected: signing: %w", err)
	}
	return sig[:64], nil
}
