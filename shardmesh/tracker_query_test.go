package shardmesh

import (
	"slices"
	"testing"

	"github.com/wakupm/wakupm/peerid"
)

func TestNodeHealth(t *testing.T) {
	tr, _ := NewTracker()
	if got, want := tr.NodeHealth(), (NodeHealth{Health: Unhealthy}); got != want {
		t.Errorf("no shard joined: %+v, want %+v", got, want)
	}
	for _, e := range evSeq(evJoin(tsh0), evJoin(tsh1), evJoin(tsh2), evGrafts(tsh0, "a", "b", "c", "d"), evGrafts(tsh1, "a")) {
		e.apply(tr)
	}
	want := NodeHealth{Health: Unhealthy, Shards: 3, Unhealthy: 1, MinimallyHealthy: 1, SufficientlyHealthy: 1}
	if got := tr.NodeHealth(); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	tr.Leave(tsh2)
	want = NodeHealth{Health: MinimallyHealthy, Shards: 2, MinimallyHealthy: 1, SufficientlyHealthy: 1}
	if got := tr.NodeHealth(); got != want {
		t.Errorf("after leaving the unhealthy shard: %+v, want %+v", got, want)
	}
	for _, e := range evGrafts(tsh1, "b", "c", "d") {
		e.apply(tr)
	}
	want = NodeHealth{Health: SufficientlyHealthy, Shards: 2, SufficientlyHealthy: 2}
	if got := tr.NodeHealth(); got != want {
		t.Errorf("all sufficient: %+v, want %+v", got, want)
	}
}

func TestTrackerQueries(t *testing.T) {
	tr, _ := NewTracker()
	for _, e := range evSeq(evJoin(tsh0), evJoin(tsh1), evGrafts(tsh0, "a", "b"), evGraft("a", tsh1), evOutbound("b")) {
		e.apply(tr)
	}
	peers := tr.MeshPeers(tsh0)
	slices.Sort(peers)
	if !slices.Equal(peers, []peerid.ID{"a", "b"}) {
		t.Errorf("MeshPeers(tsh0) = %v", peers)
	}
	if got := tr.MeshPeers(tsh2); got != nil {
		t.Errorf("MeshPeers of a shard never joined = %v, want nil", got)
	}
	if !tr.InMesh("a", tsh1) || tr.InMesh("b", tsh1) || tr.InMesh("zz", tsh0) {
		t.Errorf("InMesh wrong")
	}
	shards := tr.AppendPeerShards(nil, "a")
	slices.SortFunc(shards, func(x, y Shard) int { return int(x.Index) - int(y.Index) })
	if !slices.Equal(shards, []Shard{tsh0, tsh1}) {
		t.Errorf("AppendPeerShards(a) = %v", shards)
	}
	if h, ok := tr.ShardHealth(tsh0); !ok || h != (ShardHealth{Shard: tsh0, MeshPeers: 2, OutboundMeshPeers: 1, Health: MinimallyHealthy}) {
		t.Errorf("ShardHealth(tsh0) = %+v, %v", h, ok)
	}
	if _, ok := tr.ShardHealth(tsh2); ok {
		t.Errorf("ShardHealth of a shard not joined reports joined")
	}
	if tr.Health(tsh1) != MinimallyHealthy || tr.Health(tsh2) != Unhealthy {
		t.Errorf("Health wrong")
	}
	// Snapshot orders by cluster, then index, whatever the join order.
	tr2, _ := NewTracker()
	order := []Shard{{Cluster: 2, Index: 0}, {Cluster: 1, Index: 7}, {Cluster: 1, Index: 3}}
	for _, s := range order {
		tr2.Join(s)
	}
	var got []Shard
	for _, h := range tr2.Snapshot() {
		got = append(got, h.Shard)
	}
	if want := []Shard{{1, 3}, {1, 7}, {2, 0}}; !slices.Equal(got, want) {
		t.Errorf("Snapshot order %v, want %v", got, want)
	}
}
