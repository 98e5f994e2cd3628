package restbody

import (
	"encoding/json"

	"github.com/wakupm/wakupm/shardmesh/protected"
)

// Protect is the body that sets a protected shard's keys: {"shard": 32,
// "publicKey": "0x04…"} (relay only) or with "privateKey" (the node also
// signs what it publishes; the public key is then optional). The shard may
// be given as "pubsubTopic" instead.
type Protect struct {
	Shard       json.RawMessage `json:"shard"`
	PubsubTopic string          `json:"pubsubTopic"`
	PublicKey   string          `json:"publicKey"`
	PrivateKey  string          `json:"privateKey"`
}

// Protection is what a Protect body asks for. A key not given is zero.
type Protection struct {
	Shard   uint16
	Public  protected.PublicKey
	Private protected.PrivateKey
}

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
	return out, nil
}
