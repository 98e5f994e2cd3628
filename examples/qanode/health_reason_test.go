package main

import (
	"testing"

	"github.com/wakupm/wakupm/shardmesh"
)

// TestHealthReason checks the words that explain a level on /health and
// the node page.
func TestHealthReason(t *testing.T) {
	m := meshDegrees(shardmesh.DefaultThresholds)
	for _, tt := range []struct {
		s    shardHealthJSON
		want string
	}{
		{shardHealthJSON{MeshPeers: 1, OutboundMeshPeers: 1, ConnectedRelayPeers: 1, Floor: 6},
			"1 counted mesh peers, below 4 (Dlo), target D 6; 1 outbound mesh peers, below Dout 2; 1 connected relay peers, below the floor 6"},
		{shardHealthJSON{MeshPeers: 6, OutboundMeshPeers: 2, ConnectedRelayPeers: 8, Floor: 6},
			"6 counted mesh peers, at least 4 (Dlo), target D 6"},
		{shardHealthJSON{MeshPeers: 5, LowScoreMeshPeers: 2, OutboundMeshPeers: 3, ConnectedRelayPeers: 6, Floor: 6},
			"3 counted mesh peers, below 4 (Dlo), target D 6; 2 mesh peers with a low score not counted"},
		{shardHealthJSON{},
			"no counted mesh peer (at least 1 needed), target D 6"},
	} {
		if got := healthReason(tt.s, m); got != tt.want {
			t.Errorf("%+v:\n got %q\nwant %q", tt.s, got, tt.want)
		}
	}
}
