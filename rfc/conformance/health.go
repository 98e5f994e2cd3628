package conformance

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// healthDriver plays the health vocabulary (scenarios/health/README.md)
// on shardmesh.Tracker: the gossipsub events of the node's mesh, scores,
// directions and announcements in, shard and node health out.
type healthDriver struct {
	cluster uint16
	opts    []shardmesh.Option
	tracker *shardmesh.Tracker
	sub     *shardmesh.Subscription
	thr     shardmesh.Thresholds
	setThr  bool
}

func newHealthDriver() Driver {
	return &healthDriver{cluster: shardmesh.ClusterTWN, thr: shardmesh.DefaultThresholds}
}

// healthEvents are the event names of the health vocabulary.
var healthEvents = []string{"join", "leave", "graft", "prune", "peer-gone", "direction", "score", "announce", "subscribe", "read"}

func (d *healthDriver) Configure(c Command) error {
	for k, v := range c.Opts {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("set %s=%s: %w", k, v, err)
		}
		switch k {
		case "cluster":
			d.cluster = uint16(n)
		case "minimal":
			d.thr.Minimal, d.setThr = int(n), true
		case "sufficient":
			d.thr.Sufficient, d.setThr = int(n), true
		case "score-threshold":
			d.opts = append(d.opts, shardmesh.WithScoreThreshold(n))
		case "max-peers":
			d.opts = append(d.opts, shardmesh.WithMaxPeers(int(n)))
		default:
			return fmt.Errorf("set %s: unknown setting: %w", k, ErrUnsupported)
		}
	}
	return nil
}

func (d *healthDriver) ensure() error {
	if d.tracker != nil {
		return nil
	}
	opts := append([]shardmesh.Option{shardmesh.WithCluster(d.cluster)}, d.opts...)
	if d.setThr {
		opts = append(opts, shardmesh.WithThresholds(d.thr))
	}
	t, err := shardmesh.NewTracker(opts...)
	d.tracker = t
	return err
}

func (d *healthDriver) shard(c Command, i int) (shardmesh.Shard, error) {
	s, err := c.Arg(i)
	if err != nil {
		return shardmesh.Shard{}, err
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return shardmesh.Shard{}, err
	}
	cluster := d.cluster
	if v, ok := c.Opts["cluster"]; ok {
		cl, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return shardmesh.Shard{}, err
		}
		cluster = uint16(cl)
	}
	return shardmesh.NewShard(cluster, uint16(n))
}

func (d *healthDriver) Exec(_ time.Time, c Command) ([]string, error) {
	if !slices.Contains(healthEvents, c.Name) {
		return nil, fmt.Errorf("health event %q: %w", c.Name, ErrUnsupported)
	}
	if err := d.ensure(); err != nil {
		return nil, err
	}
	t := d.tracker
	switch c.Name {
	case "subscribe":
		d.sub = t.Subscribe()
		return nil, nil
	case "read":
		return d.read()
	case "join", "leave":
		s, err := d.shard(c, 0)
		if err != nil {
			return nil, err
		}
		if c.Name == "join" {
			t.Join(s)
		} else {
			t.Leave(s)
		}
		return nil, nil
	}
	name, err := c.Arg(0)
	if err != nil {
		return nil, err
	}
	p := peerid.ID(name)
	switch c.Name {
	case "peer-gone":
		t.PeerGone(p)
		return nil, nil
	case "direction":
		v, err := c.Arg(1)
		if err != nil {
			return nil, err
		}
		t.SetDirection(p, map[string]shardmesh.Direction{"in": shardmesh.Inbound, "out": shardmesh.Outbound}[v])
		return nil, nil
	case "score":
		v, err := c.Arg(1)
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(v, 64)
		t.SetScore(p, f)
		return nil, err
	}
	s, err := d.shard(c, 1)
	if err != nil {
		return nil, err
	}
	switch c.Name {
	case "graft":
		t.Graft(p, s)
	case "prune":
		t.Prune(p, s)
	case "announce":
		t.Announce(p, s, c.Opt("subscribed", "true") == "true")
	}
	return nil, nil
}

// read takes what the subscription has: "health S LEVEL" per changed shard
// ("health S left" when the node left it).
func (d *healthDriver) read() ([]string, error) {
	if d.sub == nil {
		return nil, fmt.Errorf("read before subscribe")
	}
	var out []string
	for _, ch := range d.sub.Next(nil) {
		lvl := healthWord(ch.Health)
		if !ch.Joined {
			lvl = "left"
		}
		out = append(out, fmt.Sprintf("health %d %s", ch.Shard.Index, lvl))
	}
	return out, nil
}

func healthWord(h shardmesh.Health) string {
	switch h {
	case shardmesh.Unhealthy:
		return "unhealthy"
	case shardmesh.MinimallyHealthy:
		return "minimally"
	case shardmesh.SufficientlyHealthy:
		return "sufficiently"
	}
	return h.String()
}

// Query answers the health vocabulary's queries.
func (d *healthDriver) Query(_ time.Time, c Command) (string, error) {
	if err := d.ensure(); err != nil {
		return "", err
	}
	t := d.tracker
	switch c.Name {
	case "node-health":
		return healthWord(t.NodeHealth().Health), nil
	case "node-shards":
		nh := t.NodeHealth()
		lvl, _ := c.Arg(0)
		n, ok := map[string]int{"": nh.Shards, "unhealthy": nh.Unhealthy, "minimally": nh.MinimallyHealthy, "sufficiently": nh.SufficientlyHealthy}[lvl]
		if !ok {
			return "", fmt.Errorf("node-shards [unhealthy|minimally|sufficiently]")
		}
		return strconv.Itoa(n), nil
	case "tracked-peers":
		return strconv.Itoa(t.TrackedPeers()), nil
	case "announced":
		return d.announced(c)
	case "health", "mesh", "counted", "outbound":
		return d.shardQuery(c)
	}
	return "", fmt.Errorf("health query %q: %w", c.Name, ErrUnsupported)
}

func (d *healthDriver) shardQuery(c Command) (string, error) {
	s, err := d.shard(c, 0)
	if err != nil {
		return "", err
	}
	sh, ok := d.tracker.ShardHealth(s)
	if !ok {
		return "not-joined", nil
	}
	switch c.Name {
	case "health":
		return healthWord(sh.Health), nil
	case "mesh":
		return strconv.Itoa(sh.MeshPeers), nil
	case "counted":
		return strconv.Itoa(sh.CountedPeers()), nil
	}
	return strconv.Itoa(sh.OutboundMeshPeers), nil
}

// announced answers the shards P announced in a cluster (ours by
// default): a list, "none", or "no-evidence" when nothing is known.
func (d *healthDriver) announced(c Command) (string, error) {
	p, err := c.Arg(0)
	if err != nil {
		return "", err
	}
	cluster := d.cluster
	if v, ok := c.Opts["cluster"]; ok {
		n, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return "", err
		}
		cluster = uint16(n)
	}
	set, heard := d.tracker.Announced(peerid.ID(p), cluster)
	if !heard {
		return "no-evidence", nil
	}
	var idx []string
	for s := range set.All() {
		idx = append(idx, strconv.Itoa(int(s)))
	}
	if len(idx) == 0 {
		return "none", nil
	}
	return strings.Join(idx, ","), nil
}
