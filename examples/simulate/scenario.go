package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/wakupm/wakupm/shardmesh"
)

// Role is what a simulated node is.
type Role uint8

const (
	// Honest nodes run the policy under test and are the ones measured.
	Honest Role = iota
	// Sybil nodes share one IP address, subscribe like honest nodes, dial
	// as many honest nodes as they can, and leave all at once (see
	// Config.SybilLeave): they take connection slots and then vanish.
	Sybil
	// Liar nodes advertise every shard in discovery and metadata but join
	// no topic, so they never mesh: a peer manager that trusts
	// advertisements fills its slots with them.
	Liar
)

func (r Role) String() string {
	switch r {
	case Honest:
		return "honest"
	case Sybil:
		return "sybil"
	case Liar:
		return "liar"
	}
	return "role?"
}

// Payload bounds: a payload starts with its 8-byte sequence number; the
// Waku network caps messages at 150 KB (rfc-index 64/WAKU2-NETWORK).
const (
	minPayload = 8
	maxPayload = 150 * 1000
)

// sybilIP is the address index all Sybils share: above any node index
// (maxNodes, churn and adversaries included), so no honest node has it.
const sybilIP = 1 << 22

// bootstrapPeers is how many peers each node knows when it starts (its
// bootnodes), drawn from the honest nodes alive at that moment.
const bootstrapPeers = 3

// NodeSpec is one node of the scenario, including those joining later.
type NodeSpec struct {
	Index int
	Role  Role
	// Subscribed is the shards whose topics the node joins.
	Subscribed shardmesh.ShardSet
	// Advertised is what discovery records and metadata say it serves.
	Advertised shardmesh.ShardSet
	// JoinAt and LeaveAt are virtual times from the start; LeaveAt 0 means
	// the node stays to the end.
	JoinAt, LeaveAt time.Duration
	// Bootstrap is the nodes it knows at JoinAt.
	Bootstrap []int
	// IP and Port place the node on the simulated network; Sybils share
	// one IP.
	IP, Port int
}

// AliveAt reports whether the node is in the network at virtual time t.
func (n *NodeSpec) AliveAt(t time.Duration) bool {
	return n.JoinAt <= t && (n.LeaveAt == 0 || t < n.LeaveAt)
}

// Publish is one message of the schedule.
type Publish struct {
	Seq       int
	At        time.Duration
	Shard     uint16
	Publisher int
}

// Scenario is everything the seed fixes: topology (bootstrap peers, IPs),
// subscriptions, churn and adversary schedules, and the message schedule.
// It is a pure function of the Config's scenario fields (see Generate).
type Scenario struct {
	Seed     uint64
	Cluster  uint16
	Shards   int
	Duration time.Duration
	MaxConns int
	MsgSize  int
	Nodes    []NodeSpec
	// Publishes is sorted by time; Seq is the position.
	Publishes []Publish
	// MessagesFrom and MessagesUntil bound the publishing window, leaving
	// time for meshes to form at the start and for the last messages to
	// arrive at the end.
	MessagesFrom, MessagesUntil time.Duration
}

// Generate builds the scenario of c from c.Seed. Only the scenario fields of
// c are read; the same fields give the same Scenario.
func Generate(c Config) *Scenario {
	rng := rand.New(rand.NewPCG(c.Seed, 0x5157_4b55_504d)) // stream constant: "WKUPM"-ish, fixed forever
	sc := &Scenario{
		Seed: c.Seed, Cluster: c.Cluster, Shards: c.Shards, Duration: c.Duration,
		MaxConns: c.MaxConns, MsgSize: c.MsgSize,
	}
	margin := min(10*time.Second, c.Duration/6)
	sc.MessagesFrom, sc.MessagesUntil = margin, c.Duration-margin

	drawSubs := func() shardmesh.ShardSet {
		k := c.Subs.Min + rng.IntN(c.Subs.Max-c.Subs.Min+1)
		var s shardmesh.ShardSet
		for _, i := range rng.Perm(c.Shards)[:k] {
			s.Add(uint16(i))
		}
		return s
	}
	var all shardmesh.ShardSet
	for i := range c.Shards {
		all.Add(uint16(i))
	}
	addNode := func(role Role, joinAt time.Duration) *NodeSpec {
		i := len(sc.Nodes)
		sc.Nodes = append(sc.Nodes, NodeSpec{Index: i, Role: role, JoinAt: joinAt, IP: i, Port: 8000})
		return &sc.Nodes[i]
	}

	for range c.Nodes {
		n := addNode(Honest, 0)
		n.Subscribed = drawSubs()
		n.Advertised = n.Subscribed
	}
	// Adversaries join at the start. Sybils share one IP address that no
	// other node uses, on consecutive ports.
	var sybilLeave time.Duration
	if c.SybilLeave > 0 {
		sybilLeave = time.Duration(c.SybilLeave * float64(c.Duration))
	}
	for k := range c.Sybils {
		n := addNode(Sybil, 0)
		n.Subscribed = drawSubs()
		n.Advertised = n.Subscribed
		n.IP, n.Port = sybilIP, 9000+k
		n.LeaveAt = sybilLeave
	}
	for range c.Liars {
		n := addNode(Liar, 0)
		n.Advertised = all
	}
	// Churn, minute by minute: k honest nodes leave at random moments and
	// k fresh ones join. Joiners are appended in joining order, so node
	// indexes follow join times.
	perMinute := int(math.Round(c.Churn * float64(c.Nodes)))
	for start := time.Duration(0); start < c.Duration && perMinute > 0; start += time.Minute {
		window := min(time.Minute, c.Duration-start)
		for range perMinute {
			at := max(start+time.Duration(rng.Int64N(int64(window))), 1)
			if leaver := pickAlive(rng, sc.Nodes, at, func(n *NodeSpec) bool { return n.Role == Honest && n.LeaveAt == 0 }); leaver >= 0 {
				sc.Nodes[leaver].LeaveAt = at
			}
		}
		joins := make([]time.Duration, perMinute)
		for k := range joins {
			joins[k] = max(start+time.Duration(rng.Int64N(int64(window))), 1)
		}
		slices.Sort(joins)
		for _, at := range joins {
			n := addNode(Honest, at)
			n.Subscribed = drawSubs()
			n.Advertised = n.Subscribed
		}
	}
	// Bootstrap peers: honest nodes alive when the node joins.
	for i := range sc.Nodes {
		n := &sc.Nodes[i]
		for range bootstrapPeers {
			b := pickAlive(rng, sc.Nodes, n.JoinAt, func(o *NodeSpec) bool {
				return o.Role == Honest && o.Index != n.Index && !slices.Contains(n.Bootstrap, o.Index)
			})
			if b >= 0 {
				n.Bootstrap = append(n.Bootstrap, b)
			}
		}
	}
	sc.Publishes = generatePublishes(rng, c, sc)
	return sc
}

// generatePublishes draws a Poisson process per shard and a publisher among
// the honest nodes subscribed to the shard and alive at that moment.
func generatePublishes(rng *rand.Rand, c Config, sc *Scenario) []Publish {
	if c.MsgRate <= 0 {
		return nil
	}
	var out []Publish
	for s := range c.Shards {
		shard := uint16(s)
		t := sc.MessagesFrom
		for {
			t += time.Duration(rng.ExpFloat64() / c.MsgRate * float64(time.Second))
			if t >= sc.MessagesUntil {
				break
			}
			p := pickAlive(rng, sc.Nodes, t, func(n *NodeSpec) bool {
				return n.Role == Honest && n.Subscribed.Contains(shard)
			})
			if p >= 0 {
				out = append(out, Publish{At: t, Shard: shard, Publisher: p})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Publish) int { return int(a.At - b.At) })
	for i := range out {
		out[i].Seq = i
	}
	return out
}

// pickAlive returns a uniformly drawn index of a node alive at t that
// satisfies keep, or -1.
func pickAlive(rng *rand.Rand, nodes []NodeSpec, t time.Duration, keep func(*NodeSpec) bool) int {
	var candidates []int
	for i := range nodes {
		if nodes[i].AliveAt(t) && keep(&nodes[i]) {
			candidates = append(candidates, i)
		}
	}
	if len(candidates) == 0 {
		return -1
	}
	return candidates[rng.IntN(len(candidates))]
}

// Honest returns the indexes of honest nodes.
func (sc *Scenario) Honest() []int {
	var out []int
	for i := range sc.Nodes {
		if sc.Nodes[i].Role == Honest {
			out = append(out, i)
		}
	}
	return out
}

// Shard returns shard index i of the scenario's cluster.
func (sc *Scenario) Shard(i uint16) shardmesh.Shard {
	return shardmesh.Shard{Cluster: sc.Cluster, Index: i}
}
