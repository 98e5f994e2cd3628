package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func scenarioConfig() Config {
	c := DefaultConfig()
	c.Nodes = 60
	c.Shards = 12
	c.Subs = SubsRange{1, 5}
	c.Duration = 3 * time.Minute
	c.MsgRate = 0.3
	c.Churn = 0.1
	c.Sybils = 4
	c.Liars = 3
	return c
}

func TestGenerateIsDeterministic(t *testing.T) {
	c := scenarioConfig()
	a, b := Generate(c), Generate(c)
	require.True(t, reflect.DeepEqual(a, b), "same seed, different scenario")

	// Output flags do not change the scenario.
	c2 := c
	c2.Policies, c2.JSON, c2.Plot, c2.Repeat = []string{PolicyStatic}, true, "x.svg", 3
	require.True(t, reflect.DeepEqual(a, Generate(c2)))

	c.Seed++
	other := Generate(c)
	require.False(t, reflect.DeepEqual(a.Nodes, other.Nodes), "another seed gave the same nodes")
	require.False(t, reflect.DeepEqual(a.Publishes, other.Publishes), "another seed gave the same messages")
}

func TestGenerateHonoursTheConfig(t *testing.T) {
	c := scenarioConfig()
	sc := Generate(c)

	perMinute := 6 // 10 % of 60
	roles := map[Role]int{}
	leaving := 0
	joining := 0
	for i, n := range sc.Nodes {
		require.Equal(t, i, n.Index)
		roles[n.Role]++
		switch n.Role {
		case Honest:
			k := n.Subscribed.Len()
			require.GreaterOrEqual(t, k, c.Subs.Min)
			require.LessOrEqual(t, k, c.Subs.Max)
			for s := range n.Subscribed.All() {
				require.Less(t, int(s), c.Shards)
			}
			require.Equal(t, n.Subscribed, n.Advertised)
			if n.LeaveAt > 0 {
				leaving++
				require.Greater(t, n.LeaveAt, n.JoinAt)
			}
			if n.JoinAt > 0 {
				joining++
			}
		case Sybil:
			require.Equal(t, sybilIP, n.IP, "Sybils share one IP")
			require.Equal(t, time.Duration(c.SybilLeave*float64(c.Duration)), n.LeaveAt)
		case Liar:
			require.True(t, n.Subscribed.Empty())
			require.Equal(t, c.Shards, n.Advertised.Len())
		}
		for _, b := range n.Bootstrap {
			require.NotEqual(t, i, b)
			require.Equal(t, Honest, sc.Nodes[b].Role)
			require.True(t, sc.Nodes[b].AliveAt(n.JoinAt), "bootstrap peer %d of %d not alive at %v", b, i, n.JoinAt)
		}
		require.Len(t, n.Bootstrap, bootstrapPeers)
	}
	require.Equal(t, map[Role]int{Honest: c.Nodes + 3*perMinute, Sybil: c.Sybils, Liar: c.Liars}, roles)
	require.Equal(t, 3*perMinute, joining)
	require.Equal(t, 3*perMinute, leaving)

	require.NotEmpty(t, sc.Publishes)
	// About rate x shards x window messages.
	want := c.MsgRate * float64(c.Shards) * (sc.MessagesUntil - sc.MessagesFrom).Seconds()
	require.InDelta(t, want, float64(len(sc.Publishes)), want/4)
	for i, p := range sc.Publishes {
		require.Equal(t, i, p.Seq)
		if i > 0 {
			require.GreaterOrEqual(t, p.At, sc.Publishes[i-1].At)
		}
		require.True(t, p.At >= sc.MessagesFrom && p.At < sc.MessagesUntil)
		pub := sc.Nodes[p.Publisher]
		require.Equal(t, Honest, pub.Role)
		require.True(t, pub.Subscribed.Contains(p.Shard))
		require.True(t, pub.AliveAt(p.At))
	}
}

func TestGenerateFixedSubscriptionsAndNoLoad(t *testing.T) {
	c := scenarioConfig()
	c.Subs = SubsRange{12, 12}
	c.MsgRate = 0
	c.Churn = 0
	sc := Generate(c)
	require.Empty(t, sc.Publishes)
	for _, n := range sc.Nodes {
		if n.Role == Honest {
			require.Equal(t, 12, n.Subscribed.Len())
			require.Zero(t, n.JoinAt)
			require.Zero(t, n.LeaveAt)
		}
	}
}

func TestGenerateIndexesFollowJoinOrder(t *testing.T) {
	sc := Generate(scenarioConfig())
	ips := map[int]int{}
	for i := 1; i < len(sc.Nodes); i++ {
		require.GreaterOrEqual(t, sc.Nodes[i].JoinAt, sc.Nodes[i-1].JoinAt, "node %d joins before node %d", i, i-1)
	}
	for _, n := range sc.Nodes {
		ips[n.IP]++
	}
	require.Equal(t, 4, ips[sybilIP])
	require.Len(t, ips, len(sc.Nodes)-4+1)
}
