package peerid

// ID is a peer's identity: the raw bytes of its libp2p peer id (a multihash
// of its public key), as go-libp2p's peer.ID holds them. Both are strings,
// so peerid.ID(p) and peer.ID(id) are free conversions.
//
// The zero ID is the empty string and names no peer.
type ID string

// String returns the id in the base58btc form libp2p prints ("12D3Koo…",
// "16Uiu2…"), so that logs of a pure core and of its shell agree.
func (id ID) String() string { return base58(string(id)) }

// base58Alphabet is the Bitcoin alphabet that libp2p uses for peer ids
// (multibase base58btc).
const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58 encodes b: each leading zero byte becomes '1', the rest is the
// big-endian number written in base 58. Peer ids are short (≤ 42 bytes for
// secp256k1 and ed25519 keys), so the quadratic long division is cheap.
func base58(b string) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	// log(256)/log(58) < 1.37: enough digits for the number.
	digits := make([]byte, 0, (len(b)-zeros)*137/100+1)
	for i := zeros; i < len(b); i++ {
		carry := int(b[i])
		for j := range digits {
			carry += int(digits[j]) << 8
			digits[j] = byte(carry % 58)
			carry /= 58
		}
		for carry > 0 {
			digits = append(digits, byte(carry%58))
			carry /= 58
		}
	}
	out := make([]byte, zeros+len(digits))
	for i := range zeros {
		out[i] = '1'
	}
	for i, d := range digits {
		out[len(out)-1-i] = base58Alphabet[d]
	}
	return string(out)
}
