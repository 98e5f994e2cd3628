package shardmesh_test

import (
	"testing"

	"github.com/wakupm/wakupm/shardmesh"
)

func TestTrackerAnnounceModel(t *testing.T) {
	tr, err := shardmesh.NewTracker(shardmesh.WithCluster(1))
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
	// Another cluster is not kept: no evidence, rather than "none of them".
	if set, heard := tr.Announced("p", 2); heard || !set.Empty() {
		t.Fatalf("cluster 2: %v, heard %v; want nothing, not heard", set.Indexes(), heard)
	}
	if n := tr.Stats().ForeignClusterAnnouncements; n != 1 {
		t.Fatalf("ForeignClusterAnnouncements = %d, want 1", n)
	}
	tr.PeerGone("p")
	if set, heard := tr.Announced("p", 1); heard || !set.Empty() {
		t.Fatalf("after PeerGone: %v, heard %v", set.Indexes(), heard)
	}
}

// TestTrackerAnnounceClusterFromJoin: without WithCluster, a peer's
// announcements are kept for the cluster it announced first until we join a
// shard, whose cluster then decides.
func TestTrackerAnnounceClusterFromJoin(t *testing.T) {
	tr, err := shardmesh.NewTracker()
	if err != nil {
		t.Fatal(err)
	}
	if _, known := tr.Cluster(); known {
		t.Fatal("cluster known before any join")
	}
	tr.Announce("early", shardmesh.Shard{Cluster: 2, Index: 5}, true)
	tr.Announce("early", shardmesh.Shard{Cluster: 1, Index: 5}, true) // not its first cluster
	tr.Announce("ours", shardmesh.Shard{Cluster: 1, Index: 7}, true)
	if set, heard := tr.Announced("early", 2); !heard || !set.Contains(5) {
		t.Fatalf("before the join, early in cluster 2: %v, heard %v", set.Indexes(), heard)
	}

	tr.Join(shardmesh.Shard{Cluster: 1, Index: 7})
	if c, known := tr.Cluster(); !known || c != 1 {
		t.Fatalf("Cluster() = %d, %v after joining a cluster-1 shard", c, known)
	}
	if set, heard := tr.Announced("early", 1); !heard || !set.Empty() {
		t.Fatalf("early in cluster 1: %v, heard %v; want none, heard", set.Indexes(), heard)
	}
	if _, heard := tr.Announced("early", 2); heard {
		t.Fatal("cluster 2 still answered after joining cluster 1")
	}
	if set, _ := tr.Announced("ours", 1); set.Len() != 1 || !set.Contains(7) {
		t.Fatalf("ours: %v, want [7]", set.Indexes())
	}
	tr.Announce("early", shardmesh.Shard{Cluster: 1, Index: 3}, true)
	if set, _ := tr.Announced("early", 1); set.Len() != 1 || !set.Contains(3) {
		t.Fatalf("early after announcing 1/3: %v, want [3]", set.Indexes())
	}
	if n := tr.Stats().ForeignClusterAnnouncements; n != 1 {
		t.Fatalf("ForeignClusterAnnouncements = %d, want 1", n)
	}
}

// TestTrackerMaxPeers: at the cap, a new peer's announcements, hello and
// direction are not recorded, but a graft always is.
func TestTrackerMaxPeers(t *testing.T) {
	if _, err := shardmesh.NewTracker(shardmesh.WithMaxPeers(0)); err == nil {
		t.Fatal("WithMaxPeers(0) accepted")
	}
	tr, err := shardmesh.NewTracker(shardmesh.WithCluster(1), shardmesh.WithMaxPeers(2))
	if err != nil {
		t.Fatal(err)
	}
	s := shardmesh.Shard{Cluster: 1, Index: 4}
	tr.Join(s)
	tr.Announce("a", s, true)
	tr.HeardFrom("b")
	tr.Announce("c", s, true) // full
	tr.HeardFrom("c")
	tr.SetDirection("c", shardmesh.Outbound)
	if n, st := tr.TrackedPeers(), tr.Stats(); n != 2 || st.UnrecordedPeers != 3 {
		t.Fatalf("tracked %d, unrecorded %d; want 2, 3", n, st.UnrecordedPeers)
	}
	if _, heard := tr.Announced("c", 1); heard {
		t.Fatal("an unrecorded peer reads as heard")
	}
	tr.Graft("c", s) // mesh membership is never lost
	if h, _ := tr.ShardHealth(s); h.MeshPeers != 1 || !tr.InMesh("c", s) || tr.TrackedPeers() != 3 {
		t.Fatalf("graft at the cap: %+v, tracked %d", h, tr.TrackedPeers())
	}
	tr.Announce("c", s, true) // known now: recorded
	if set, heard := tr.Announced("c", 1); !heard || !set.Contains(4) {
		t.Fatalf("mesh peer's announcement: %v, heard %v", set.Indexes(), heard)
	}
	tr.PeerGone("a")
	tr.PeerGone("b")
	tr.Announce("d", s, true) // room again (c alone)
	if set, heard := tr.Announced("d", 1); !heard || !set.Contains(4) {
		t.Fatalf("after two left: %v, heard %v", set.Indexes(), heard)
	}
}
