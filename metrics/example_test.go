package metrics_test

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// A full node registers one collector per component on its own registry
// (none registers itself globally); each scrape reads the components'
// snapshots. A light client registers only the selector's. Series appear
// once there is something to report: here no byte was sent, no selection
// made and no shard subscribed by the relay policy yet.
func Example() {
	// The components: the tracker and the bandwidth tracer are gossipsub
	// RawTracers, the gater is the host's ConnectionGater, the relay core
	// stands for the node's *peermanager.Manager, the selector for a light
	// client's.
	tracker, _ := shardmesh.NewTracker()
	tracker.Join(shardmesh.Shard{Cluster: 1, Index: 3})
	bandwidth, _ := metrics.NewBandwidthTracer()
	budget, _ := slots.NewBudget(50)
	connGater, _ := gater.New(budget)
	relayCore, _ := relay.NewCore(relay.DefaultConfig())
	sel, _ := selector.New()
	defer sel.Close()

	trackerCollector, _ := metrics.NewTrackerCollector(tracker)
	slotsCollector, _ := metrics.NewSlotsCollector(connGater)
	relayCollector, _ := metrics.NewPeerManagerCollector(relayCore)
	selectorCollector, _ := metrics.NewSelectorCollector(sel)
	bandwidthCollector, _ := metrics.NewBandwidthCollector(bandwidth)

	reg := prometheus.NewRegistry()
	reg.MustRegister(trackerCollector, slotsCollector, relayCollector, selectorCollector, bandwidthCollector)

	families, err := reg.Gather()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range families {
		fmt.Println(f.GetName())
	}
	// Output:
	// libp2p_gossipsub_peers_per_topic_mesh
	// wakupm_node_health
	// wakupm_node_shards
	// wakupm_peer_book_forgotten_total
	// wakupm_peer_book_size
	// wakupm_relay_dials_total
	// wakupm_relay_disconnects_total
	// wakupm_relay_events_dropped_total
	// wakupm_relay_events_queued
	// wakupm_relay_misreports_total
	// wakupm_relay_peers
	// wakupm_relay_prune_searches_total
	// wakupm_selector_notifications_dropped_total
	// wakupm_shard_health
	// wakupm_shard_low_score_mesh_peers
	// wakupm_shard_mesh_peers
	// wakupm_shard_outbound_mesh_peers
	// wakupm_slots_admitted_total
	// wakupm_slots_budget_connections
	// wakupm_slots_capacity
	// wakupm_slots_connections_refused_total
	// wakupm_slots_expired_total
	// wakupm_slots_in_use
	// wakupm_slots_peers
	// wakupm_slots_rejected_total
	// wakupm_slots_released_total
	// wakupm_tracker_events_total
	// wakupm_tracker_health_changes_total
	// wakupm_tracker_ignored_events_total
}
