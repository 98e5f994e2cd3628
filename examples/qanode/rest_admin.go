package main

import (
	"net/http"

	"github.com/wakupm/wakupm/examples/qanode/restbody"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// The admin endpoints: protected shards and key generation.

type protectionJSON struct {
	Shard       uint16            `json:"shard"`
	PubsubTopic string            `json:"pubsubTopic"`
	PublicKey   string            `json:"publicKey"`
	CanSign     bool              `json:"canSign"`
	Subscribed  bool              `json:"subscribed"`
	Window      string            `json:"window"`
	Accepted    uint64            `json:"accepted"`
	Rejected    map[string]uint64 `json:"rejected"`
	Ignored     map[string]uint64 `json:"ignored"`
	ReplayCache int               `json:"replayCacheEntries"`
}

func (n *Node) protectionJSON(p *protection) protectionJSON {
	st := p.validator.Stats()
	out := protectionJSON{Shard: p.shard.Index, PubsubTopic: p.shard.PubsubTopic(), PublicKey: p.validator.PublicKey().Hex(),
		CanSign: p.signer != nil, Window: p.validator.Window().String(), Accepted: st.ByReason[protected.ReasonValid],
		Rejected: map[string]uint64{}, Ignored: map[string]uint64{}, ReplayCache: st.ReplayEntries}
	_, err := n.relayShard(p.shard.Index)
	out.Subscribed = err == nil
	for r, c := range st.ByReason {
		reason := protected.Reason(r)
		switch reason.Result() {
		case protected.Reject:
			out.Rejected[reason.String()] = c
		case protected.Ignore:
			out.Ignored[reason.String()] = c
		}
	}
	return out
}

// postProtected protects a shard: {"shard": 32, "publicKey": "0x04…"}
// (relay only) or with "privateKey" (also signs what the node publishes;
// the public key is then optional).
func (n *Node) postProtected(w http.ResponseWriter, r *http.Request) {
	var req restbody.Protect
	if err := restbody.Decode(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	want, err := req.Parse(n.cfg.cluster)
	var p *protection
	if err == nil {
		p, err = n.Protect(want.Shard, want.Public, want.Private)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, n.protectionJSON(p))
}

func (n *Node) getProtected(w http.ResponseWriter, _ *http.Request) {
	out := []protectionJSON{}
	for _, p := range n.protections() {
		out = append(out, n.protectionJSON(p))
	}
	writeJSON(w, http.StatusOK, out)
}

func (n *Node) deleteProtected(w http.ResponseWriter, r *http.Request) {
	shard, err := restbody.ShardRef(r.PathValue("shard"), n.cfg.cluster)
	if err != nil {
		writeError(w, err)
		return
	}
	if !n.Unprotect(shard) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "shard is not protected"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"shard": shard, "protected": false})
}

// postKeygen returns a new shard key pair (the community owner's step:
// the private key goes to publishers, the public key to every relay).
func (n *Node) postKeygen(w http.ResponseWriter, _ *http.Request) {
	k, err := protected.GenerateKey()
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, keyPairJSON(k))
}

func keyPairJSON(k protected.PrivateKey) map[string]string {
	return map[string]string{"privateKey": k.Hex(), "publicKey": k.Public().Hex()}
}
