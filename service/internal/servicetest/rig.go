package servicetest

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/internal/wakugossip"
	"github.com/wakupm/wakupm/service"
	"github.com/wakupm/wakupm/service/filter"
	"github.com/wakupm/wakupm/service/lightpush"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/protected"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// The rig's layout: host 0 is the service node, host 1 a relay node, hosts
// 2.. clients.
const (
	Server  = 0
	Relayer = 1
	First   = 2
	Cluster = 16
	Shard   = 32
)

// Topic is the rig's pubsub topic, /waku/2/rs/16/32.
var Topic = shardmesh.Shard{Cluster: Cluster, Index: Shard}.PubsubTopic()

// Config shapes a Rig.
type Config struct {
	Clients int
	Budget  slots.Budget
	// Addr places host i (default: each in its own /24).
	Addr          func(i int) *net.UDPAddr
	GaterOptions  []gater.Option
	FilterOptions []filter.Option
	// NoRelayPeer leaves the relay node unconnected (light push gets 505).
	NoRelayPeer bool
	// Protected makes the shard protected on the service node: its relay
	// validator is this one (shardmesh/protected).
	Protected *protected.Validator
}

// Rig is a running service network.
type Rig struct {
	T      testing.TB
	Net    *simhost.Network
	Gater  *gater.Gater
	Filter *filter.Server
	Push   *lightpush.Server
	// RelaySub is the relay node's subscription to Topic; RelayTopic its
	// topic handle (publish there to reach filter subscribers).
	RelaySub   *pubsub.Subscription
	RelayTopic *pubsub.Topic
	Scope      service.Scope
}

// New starts the rig; call it inside a synctest bubble. Cleanup stops
// everything it started.
func New(t testing.TB, cfg Config) *Rig {
	t.Helper()
	g, err := gater.New(cfg.Budget, cfg.GaterOptions...)
	if err != nil {
		t.Fatal(err)
	}
	addr := cfg.Addr
	if addr == nil {
		addr = func(i int) *net.UDPAddr { return simhost.OwnSubnet(i) }
	}
	nw := simhost.NewT(t, First+cfg.Clients,
		simhost.WithAddresses(addr),
		simhost.WithHostOptions(func(i int) []libp2p.Option {
			if i == Server {
				return []libp2p.Option{libp2p.ConnectionGater(g)}
			}
			return nil
		}),
		simhost.WithPubsubOnly(func(i int) bool { return i < First }),
		simhost.WithPubsubOptions(func(i int) []pubsub.Option {
			if i < First {
				return []pubsub.Option{wakugossip.RelayProtocol()}
			}
			return nil
		}),
	)
	r := &Rig{T: t, Net: nw, Gater: g}
	server := nw.Node(Server)
	if err := g.Attach(server.Host); err != nil {
		t.Fatal(err)
	}
	shards, _ := shardmesh.ShardSetOf(Shard)
	r.Scope = service.Scope{Cluster: Cluster, Shards: shards}
	if v := cfg.Protected; v != nil {
		err := server.PubSub.RegisterTopicValidator(Topic, func(_ context.Context, _ peer.ID, m *pubsub.Message) pubsub.ValidationResult {
			switch v.Validate(m.Data, time.Now()).Result {
			case protected.Accept:
				return pubsub.ValidationAccept
			case protected.Ignore:
				return pubsub.ValidationIgnore
			default:
				return pubsub.ValidationReject
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	topic, err := server.PubSub.Join(Topic)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := topic.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	var topics lightpush.Topics
	topics.Add(topic)
	if r.Filter, err = filter.New(server.Host, g, r.Scope, cfg.FilterOptions...); err != nil {
		t.Fatal(err)
	}
	if r.Push, err = lightpush.New(server.Host, g, lightpush.PubSubRelay{Topic: topics.Get}, r.Scope); err != nil {
		t.Fatal(err)
	}
	relay := nw.Node(Relayer)
	if r.RelayTopic, err = relay.PubSub.Join(Topic); err != nil {
		t.Fatal(err)
	}
	if r.RelaySub, err = r.RelayTopic.Subscribe(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = g.Run(ctx) })
	wg.Go(func() { _ = r.Filter.Run(ctx) })
	wg.Go(func() { _ = r.Filter.Feed(ctx, sub) })
	// Registered after NewT's cleanup, so it runs first.
	t.Cleanup(func() {
		cancel()
		sub.Cancel()
		r.RelaySub.Cancel()
		_ = r.Push.Close()
		wg.Wait()
	})
	if !cfg.NoRelayPeer {
		if err := nw.Connect(t.Context(), Relayer, Server); err != nil {
			t.Fatal(err)
		}
		// Identify marks the relay node, gossipsub exchanges subscriptions.
		time.Sleep(2 * time.Second)
	}
	return r
}

// Client returns client k's node (0-based).
func (r *Rig) Client(k int) *simhost.Node { return r.Net.Node(First + k) }

// Connect connects client k to the service node.
func (r *Rig) Connect(ctx context.Context, k int) error {
	return r.Client(k).Host.Connect(ctx, r.Net.Node(Server).AddrInfo())
}
