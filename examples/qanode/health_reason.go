package main

import (
	"fmt"
	"strings"

	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/shardmesh"
)

// meshDegreesJSON are gossipsub's mesh degrees (internal/wakugossip, the
// Waku relay parameters of 29/WAKU2-CONFIG) next to the tracker's health
// cut-offs, so that a reader of /health compares a shard's figures with
// the numbers its level depends on.
type meshDegreesJSON struct {
	D    int `json:"d"`
	Dlo  int `json:"dlo"`
	Dout int `json:"dout"`
	// Minimal and Sufficient are the counted mesh peers from which a shard
	// is minimally and sufficiently healthy (shardmesh.Thresholds).
	Minimal    int `json:"minimal"`
	Sufficient int `json:"sufficient"`
}

func meshDegrees(t shardmesh.Thresholds) meshDegreesJSON {
	return meshDegreesJSON{D: wakugossip.D, Dlo: wakugossip.Dlo, Dout: wakugossip.Dout, Minimal: t.Minimal, Sufficient: t.Sufficient}
}

// healthReason explains a shard's level in words: the counted mesh peers
// against the cut-offs and D, then what else is short (outbound mesh peers
// below Dout, connected relay peers below the floor). It is what the node
// page shows next to the level, so that the level reads without colour.
func healthReason(s shardHealthJSON, m meshDegreesJSON) string {
	counted := s.MeshPeers - s.LowScoreMeshPeers
	var b strings.Builder
	switch {
	case counted >= m.Sufficient:
		fmt.Fprintf(&b, "%d counted mesh peers, at least %d (Dlo), target D %d", counted, m.Sufficient, m.D)
	case counted >= m.Minimal:
		fmt.Fprintf(&b, "%d counted mesh peers, below %d (Dlo), target D %d", counted, m.Sufficient, m.D)
	default:
		fmt.Fprintf(&b, "no counted mesh peer (at least %d needed), target D %d", m.Minimal, m.D)
	}
	if s.LowScoreMeshPeers > 0 {
		fmt.Fprintf(&b, "; %d mesh peers with a low score not counted", s.LowScoreMeshPeers)
	}
	if s.MeshPeers > 0 && s.OutboundMeshPeers < m.Dout {
		fmt.Fprintf(&b, "; %d outbound mesh peers, below Dout %d", s.OutboundMeshPeers, m.Dout)
	}
	if s.Floor > 0 && s.ConnectedRelayPeers < s.Floor {
		fmt.Fprintf(&b, "; %d connected relay peers, below the floor %d", s.ConnectedRelayPeers, s.Floor)
	}
	return b.String()
}
