package main

import (
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	pubsub "github.com/libp2p/go-libp2p-pubsub"

	"github.com/wakupm/wakupm/service"
	"github.com/wakupm/wakupm/service/filter"
	"github.com/wakupm/wakupm/service/lightpush"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
)

// The services -serve names.
const (
	serveFilter    = "filter"
	serveLightPush = "lightpush"
)

// defineServeFlags defines -serve.
func defineServeFlags(fs *flag.FlagSet, c *config) {
	fs.Func("serve", "light-client services to serve on the -shard shards, comma-separated: filter, lightpush "+
		"(filter v2, light push v3 and v2, each in the reserved slots of the connection budget)", func(s string) error {
		for _, name := range strings.Split(s, ",") {
			switch name = strings.TrimSpace(name); name {
			case serveFilter, serveLightPush:
				if !slices.Contains(c.serve, name) {
					c.serve = append(c.serve, name)
				}
			case "":
			default:
				return fmt.Errorf("unknown service %q: want filter or lightpush", name)
			}
		}
		return nil
	})
	fs.IntVar(&c.waiting, "waiting-clients", -1, "inbound peers kept past the 10 s grace period because they have not asked for a service yet "+
		"(light clients that connect before they subscribe), each for at most 5 min (-1: a quarter of the reserved slots; 0: none)")
}

// startServices starts the services of -serve on the shards of -shard. Call
// it before the shards are subscribed, so that the relay readers see
// n.filter.
func (n *Node) startServices() error {
	if len(n.cfg.serve) == 0 {
		return nil
	}
	shards, err := shardmesh.ShardSetOf(n.cfg.shards...)
	if err != nil {
		return err
	}
	if shards.Empty() {
		return fmt.Errorf("-serve %s needs at least one -shard to serve", strings.Join(n.cfg.serve, ","))
	}
	scope := service.Scope{Cluster: n.cfg.cluster, Shards: shards}
	if slices.Contains(n.cfg.serve, serveFilter) {
		if n.filter, err = filter.New(n.host, n.gater, scope, filter.WithLogger(n.log)); err != nil {
			return err
		}
		n.wg.Go(func() { _ = n.filter.Run(n.ctx) })
	}
	if slices.Contains(n.cfg.serve, serveLightPush) {
		relay := lightpush.PubSubRelay{Topic: n.joinedTopic}
		if n.push, err = lightpush.New(n.host, n.gater, relay, scope, lightpush.WithLogger(n.log)); err != nil {
			return err
		}
	}
	n.log.Info("serving light clients", "services", strings.Join(n.cfg.serve, ","), "shards", shards.String())
	return nil
}

// joinedTopic returns the gossipsub topic of a subscribed shard, or nil.
func (n *Node) joinedTopic(name string) *pubsub.Topic {
	sh, err := shardmesh.ParsePubsubTopic(name)
	if err != nil || sh.Cluster != n.cfg.cluster {
		return nil
	}
	rs, err := n.relayShard(sh.Index)
	if err != nil {
		return nil
	}
	return rs.topic
}

// stopServices removes the light push handlers (the filter server stops
// with the node's context).
func (n *Node) stopServices() {
	if n.push != nil {
		_ = n.push.Close()
	}
}

// servedJSON is what a service's server counted, in GET /slots next to
// its pool.
type servedJSON struct {
	// Answers counts responses by status code (200, 400, 404, 429, 503, ...).
	Answers map[string]uint64 `json:"answers"`
	// Filter only.
	Subscribers int    `json:"subscribers,omitempty"`
	Pushed      uint64 `json:"pushed,omitempty"`
	Dropped     uint64 `json:"dropped,omitempty"` // the subscriber's queue was full
	PushFailed  uint64 `json:"pushFailed,omitempty"`
	// Light push only: messages handed to relay.
	Relayed uint64 `json:"relayed,omitempty"`
}

// servedStats returns the counters of the server of s, nil when the node
// does not serve it.
func (n *Node) servedStats(s slots.Service) *servedJSON {
	answers := func(m map[uint32]uint64) map[string]uint64 {
		out := make(map[string]uint64, len(m))
		for code, c := range m {
			out[strconv.FormatUint(uint64(code), 10)] = c
		}
		return out
	}
	switch {
	case s == slots.Filter && n.filter != nil:
		st := n.filter.Stats()
		return &servedJSON{Answers: answers(st.Answers), Subscribers: st.Subscribers, Pushed: st.Pushed, Dropped: st.Dropped, PushFailed: st.Failed}
	case s == slots.LightPush && n.push != nil:
		st := n.push.Stats()
		return &servedJSON{Answers: answers(st.Answers), Relayed: st.Relayed}
	}
	return nil
}
