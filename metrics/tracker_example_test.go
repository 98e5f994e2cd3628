package metrics_test

import (
	"fmt"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/shardmesh"
)

// Register a TrackerCollector on your registry; each scrape reads the
// tracker's snapshot.
func ExampleTrackerCollector() {
	tracker, _ := shardmesh.NewTracker()
	shard := shardmesh.Shard{Cluster: 1, Index: 3}
	tracker.Join(shard)
	tracker.Graft("peer-a", shard)

	collector, err := metrics.NewTrackerCollector(tracker)
	if err != nil {
		fmt.Println(err)
		return
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector)

	out, _ := testutil.GatherAndFormat(reg, expfmt.TypeTextPlain, "wakupm_shard_mesh_peers", "wakupm_shard_health")
	os.Stdout.Write(out)
	// Output:
	// # HELP wakupm_shard_health Mesh health per joined shard: 0 unhealthy, 1 minimally healthy, 2 sufficiently healthy.
	// # TYPE wakupm_shard_health gauge
	// wakupm_shard_health{cluster="1",shard="3"} 1
	// # HELP wakupm_shard_mesh_peers Peers in our gossipsub mesh per joined shard.
	// # TYPE wakupm_shard_mesh_peers gauge
	// wakupm_shard_mesh_peers{cluster="1",shard="3"} 1
}
