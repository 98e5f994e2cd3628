package main

import (
	"time"

	"github.com/wakupm/wakupm/shardmesh"
)

// Health samples of a run and the run's result.

// sample is the health of all (honest node, subscribed shard) pairs at one
// moment.
type sample struct {
	At         time.Duration
	Pairs      int
	Sufficient int // mesh >= Dlo
	Minimal    int // 1 <= mesh < Dlo
	// Capped counts pairs on shards with too few live subscribers for any
	// policy to reach SufficientlyHealthy (fewer than Dlo other nodes).
	Capped int
	// PerShard[s] = {pairs, sufficient}, kept for the last sample only.
	PerShard map[uint16][2]int
	// Conns is the connection count of every honest node in the network.
	Conns []int
	// AdversaryConns is, in the last sample only, the connections honest
	// nodes hold to Sybils and to liars.
	SybilConns, LiarConns int
	// Weak lists, in the last sample only, the pairs below
	// SufficientlyHealthy (for diagnosis).
	Weak []weakPair
}

// weakPair describes a (node, shard) pair below SufficientlyHealthy.
type weakPair struct {
	Node, Shard int
	Mesh        int    // mesh peers
	Topic       int    // connected peers subscribed to the topic (gossipsub's view)
	Connected   int    // connected peers
	Members     int    // live nodes subscribed to the shard, this one included
	Why         string // what the network and the node's policy show (diagnose)
}

func (s sample) sufficientFraction() float64 { return fraction(s.Sufficient, s.Pairs) }

func fraction(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// sample measures every honest node in the network.
func (e *engine) sample(at time.Duration, last bool) sample {
	s := sample{At: at}
	if last {
		s.PerShard = make(map[uint16][2]int)
	}
	var members [shardmesh.ShardsPerCluster]int
	for _, sn := range e.nodes {
		if sn != nil && sn.left.IsZero() {
			for shard := range sn.spec.Subscribed.All() {
				members[shard]++
			}
		}
	}
	for _, sn := range e.nodes {
		if sn == nil || sn.spec.Role != Honest || !sn.left.IsZero() {
			continue
		}
		peers := sn.node.Host.Network().Peers()
		s.Conns = append(s.Conns, len(peers))
		if last {
			for _, p := range peers {
				switch e.roles[p] {
				case Sybil:
					s.SybilConns++
				case Liar:
					s.LiarConns++
				}
			}
		}
		for shard := range sn.spec.Subscribed.All() {
			mesh := sn.probe.meshSize(e.sc.Shard(shard).PubsubTopic())
			s.Pairs++
			if members[shard]-1 < shardmesh.DefaultThresholds.Sufficient {
				s.Capped++
			}
			ok := 0
			switch shardmesh.DefaultThresholds.Level(mesh) {
			case shardmesh.SufficientlyHealthy:
				s.Sufficient++
				ok = 1
			case shardmesh.MinimallyHealthy:
				s.Minimal++
			}
			if last && ok == 0 {
				topic := e.sc.Shard(shard).PubsubTopic()
				s.Weak = append(s.Weak, weakPair{Node: sn.spec.Index, Shard: int(shard), Mesh: mesh,
					Topic: len(sn.node.PubSub.ListPeers(topic)), Connected: len(sn.node.Host.Network().Peers()),
					Members: members[shard], Why: e.diagnose(sn, shard)})
			}
			if last {
				v := s.PerShard[shard]
				s.PerShard[shard] = [2]int{v[0] + 1, v[1] + ok}
			}
		}
	}
	return s
}

func (e *engine) result() *runResult {
	res := &runResult{Policy: e.pol.Name(), Samples: e.samples, Delivery: e.dlog.stats(), ShardNodeSeconds: map[uint16]float64{},
		Telemetry: e.telemetry}
	now := time.Now()
	for _, sn := range e.nodes {
		if sn == nil || sn.spec.Role != Honest {
			continue
		}
		res.HonestNodes++
		end := now
		if !sn.left.IsZero() {
			end = sn.left
		}
		alive := end.Sub(sn.joined).Seconds()
		res.NodeSeconds += alive
		for s := range sn.spec.Subscribed.All() {
			res.ShardNodeSeconds[s] += alive
		}
		res.Bandwidth = res.Bandwidth.Merge(sn.bw.BandwidthSnapshot())
		res.PolicyStats.add(sn.pol.Stats())
		res.ConnsOpened += int(sn.conns.outbound.Load())
		res.ConnsClosed += int(sn.conns.closed.Load())
	}
	return res
}
