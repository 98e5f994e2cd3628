package shardmesh_test

import (
	"testing"

	"github.com/wakupm/wakupm/shardmesh"
)

func TestTrackerAnnounceModel(t *testing.T) {
	tr, err := shardmesh.NewTracker()
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := shardmesh.Shard{Cluster: 1, Index: 1}, shardmesh.Shard{Cluster: 1, Index: 2}
	other := shardmesh.Shard{Cluster: 2, Index: 1}
	if _, heard := tr.Announced("p", 1); heard {
		t.Fatal("heard from a peer that never spoke")
	}
	tr.HeardFrom("p") // a gossipsub stream opened
	if set, heard := tr.Announced("p", 1); !heard || !set.Empty() {
		t.Fatalf("after an empty hello: %v, heard %v", set.Indexes(), heard)
	}
	tr.Announce("p", s1, true)
	tr.Announce("p", s2, true)
	tr.Announce("p", s2, true) // repeated
	tr.Announce("p", other, true)
	tr.Announce("p", s1, false)
	if set, _ := tr.Announced("p", 1); set.Len() != 1 || !set.Contains(2) {
		t.Fatalf("cluster 1: %v, want [2]", set.Indexes())
	}
	if set, _ := tr.Announced("p", 2); set.Len() != 1 || !set.Contains(1) {
		t.Fatalf("cluster 2: %v, want [1]", set.Indexes())
	}
	tr.PeerGone("p")
	if set, heard := tr.Announced("p", 1); heard || !set.Empty() {
		t.Fatalf("after PeerGone: %v, heard %v", set.Indexes(), heard)
	}
}
