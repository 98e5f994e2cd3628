package restbody

import (
	"encoding/json"
	"time"

	"github.com/wakupm/wakupm/shardmesh/protected"
)

// Protect is the body that sets a protected shard's keys: {"shard": 32,
// "publicKey": "0x04…"} (relay only) or with "privateKey" (the node also
// signs what it publishes; the public key is then optional). The shard may
// be given as "pubsubTopic" instead. On a shard already protected with
// another key, "keepPreviousKeyFor": "10m" keeps the replaced key accepted
// for that long (the overlap of a key rotation).
type Protect struct {
	Shard       json.RawMessage `json:"shard"`
	PubsubTopic string          `json:"pubsubTopic"`
	PublicKey   string          `json:"publicKey"`
	PrivateKey  string          `json:"privateKey"`
	// KeepPreviousKeyFor is a Go duration string ("10m", "90s").
	KeepPreviousKeyFor json.RawMessage `json:"keepPreviousKeyFor"`
}

// Protection is what a Protect body asks for. A key not given is zero;
// KeepPrevious is 0 when keepPreviousKeyFor is absent.
type Protection struct {
	Shard        uint16
	Public       protected.PublicKey
	Private      protected.PrivateKey
	KeepPrevious time.Duration
}

// MaxKeepPrevious bounds keepPreviousKeyFor: a leaked key accepted for
// longer than a day defeats the rotation, and switching a community's
// publishing nodes takes minutes.
const MaxKeepPrevious = 24 * time.Hour

// Parse validates the body against the node's cluster: exactly one of
// shard and pubsubTopic, at least one key, and keys that parse. Whether the
// two keys match is the node's check (protected shards are its state).
func (p Protect) Parse(cluster uint16) (Protection, error) {
	var out Protection
	var err error
	switch {
	case len(p.Shard) > 0 && p.PubsubTopic != "":
		return out, BadRequest("give shard or pubsubTopic, not both")
	case len(p.Shard) > 0:
		out.Shard, err = ShardJSON(p.Shard, cluster)
	case p.PubsubTopic != "":
		out.Shard, err = ShardRef(p.PubsubTopic, cluster)
	default:
		return out, BadRequest("shard is missing: give \"shard\": <index> or \"pubsubTopic\"")
	}
	if err != nil {
		return out, err
	}
	if p.PublicKey == "" && p.PrivateKey == "" {
		return out, BadRequest("no key: give publicKey (hex, 65 or 33 bytes), privateKey (hex, 32 bytes) or both")
	}
	if p.PublicKey != "" {
		if out.Public, err = protected.ParsePublicKey(p.PublicKey); err != nil {
			return out, BadRequest("%v", err)
		}
	}
	if p.PrivateKey != "" {
		if out.Private, err = protected.ParsePrivateKey(p.PrivateKey); err != nil {
			return out, BadRequest("%v", err)
		}
	}
	out.KeepPrevious, err = keepPrevious(p.KeepPreviousKeyFor)
	return out, err
}

// keepPrevious reads keepPreviousKeyFor (absent: 0). Whether there is a
// previous key to keep is the node's check.
func keepPrevious(raw json.RawMessage) (time.Duration, error) {
	if len(raw) == 0 {
		return 0, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, BadRequest(`keepPreviousKeyFor %s: want a duration string such as "10m" or "90s"`, raw)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, BadRequest(`keepPreviousKeyFor %q: want a duration such as "10m" or "90s"`, s)
	}
	if d < 0 || d > MaxKeepPrevious {
		return 0, BadRequest("keepPreviousKeyFor %v: want 0 (replace the key at once) to %v", d, MaxKeepPrevious)
	}
	return d, nil
}
