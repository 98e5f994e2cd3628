package main

import (
	"net/http"
	"time"

	"github.com/wakupm/wakupm/examples/qanode/restbody"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// The admin endpoints: protected shards and key generation.

type protectionJSON struct {
	Shard       uint16 `json:"shard"`
	PubsubTopic string `json:"pubsubTopic"`
	PublicKey   string `json:"publicKey"`
	// The key a rotation replaced, while it is still accepted, and the
	// instant from which it is refused (absent outside a rotation).
	PreviousPublicKey string `json:"previousPublicKey,omitempty"`
	PreviousKeyUntil  string `json:"previousKeyAcceptedUntil,omitempty"`
	CanSign           bool   `json:"canSign"`
	Subscribed        bool   `json:"subscribed"`
	Window            string `json:"window"`
	Accepted          uint64 `json:"accepted"`
	// AcceptedPreviousKey counts the accepted messages signed with a
	// previous key during a rotation (included in Accepted): once it stops
	// growing, every publisher has switched.
	AcceptedPreviousKey uint64            `json:"acceptedPreviousKey"`
	Rejected            map[string]uint64 `json:"rejected"`
	Ignored             map[string]uint64 `json:"ignored"`
	ReplayCache         int               `json:"replayCacheEntries"`
}

// untilFormat is RFC 3339 in milliseconds, enough to tell which side of the
// deadline a message fell.
const untilFormat = "2006-01-02T15:04:05.000Z07:00"

func (n *Node) protectionJSON(p *protection) protectionJSON {
	st, k := p.validator.Stats(), p.validator.Keys(time.Now())
	out := protectionJSON{Shard: p.shard.Index, PubsubTopic: p.shard.PubsubTopic(), PublicKey: k.Current.Hex(),
		CanSign: p.signer != nil, Window: p.validator.Window().String(), Accepted: st.Count(protected.Accept),
		AcceptedPreviousKey: st.ByReason[protected.ReasonValidPreviousKey],
		Rejected:            map[string]uint64{}, Ignored: map[string]uint64{}, ReplayCache: st.ReplayEntries}
	if !k.Previous.IsZero() {
		out.PreviousPublicKey, out.PreviousKeyUntil = k.Previous.Hex(), k.Until.UTC().Format(untilFormat)
	}
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
// the public key is then optional). On a shard already protected with
// another key, "keepPreviousKeyFor": "10m" keeps the replaced key accepted
// for that long (the overlap of a key rotation).
func (n *Node) postProtected(w http.ResponseWriter, r *http.Request) {
	var req restbody.Protect
	if err := restbody.Decode(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	want, err := req.Parse(n.cfg.cluster)
	var p *protection
	if err == nil {
		p, err = n.Protect(want.Shard, want.Public, want.Private, want.KeepPrevious)
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
