package service

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/metrics/telemetry"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/shardmesh"
)

// The reporter runs in a synctest bubble (virtual time), the service
// outside it on a real loopback listener. The reporter's client opens a
// connection per POST: an idle keep-alive connection would keep a
// goroutine of the bubble blocked on the network, and virtual time would
// never advance. The service reads the time the reporter last read, so that
// its rate limiter runs on the same clock.

type sharedClock struct{ ns atomic.Int64 }

// reporterNow is the bubble's virtual time moved from its epoch (2000-01-01,
// before any timestamp the service accepts) to t0.
func (c *sharedClock) reporterNow() time.Time {
	now := time.Now().Add(t0.Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)))
	c.ns.Store(now.UnixNano())
	return now
}

func (c *sharedClock) serviceNow() time.Time { return time.Unix(0, c.ns.Load()) }

func bubbleClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
}

// startService serves a fresh SQLite store on loopback.
func startService(t *testing.T, clock *sharedClock, cfg Config) (*Store, *httptest.Server) {
	t.Helper()
	s := freshSQLite(t)
	cfg.Now = clock.serviceNow
	ts := httptest.NewServer(NewServer(s, cfg))
	t.Cleanup(ts.Close)
	return s, ts
}

// realNode is a node's real cores: a relay core and a mesh tracker stepped
// through a few events, and an application traffic account.
type realNode struct {
	core    *relay.Core
	tracker *shardmesh.Tracker
	app     *metrics.AppTraffic
	sim     *simNode // gossip and discovery figures
}

func newRealNode(t *testing.T) *realNode {
	core, err := relay.NewCore(relay.WakupmPreset())
	if err != nil {
		t.Fatal(err)
	}
	tracker, err := shardmesh.NewTracker()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, i := range []uint16{0, 3} {
		s := shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: i}
		core.Step(relay.Subscribed{Shard: s}, now)
		tracker.Join(s)
	}
	for i := range 6 {
		id := peerid.ID([]byte{'p', byte(i)})
		sh, _ := shardmesh.ShardSetOf(0, 3)
		core.Step(relay.PeerDiscovered{Peer: book.DiscoveredPeer{ID: id, Origin: book.OriginDiscv5, HasENR: true,
			Cluster: shardmesh.ClusterTWN, HasShards: true, Shards: sh, Caps: shardmesh.CapRelay}}, now)
		if i < 3 {
			core.Step(relay.PeerConnected{ID: id, Direction: book.Inbound}, now)
			tracker.Graft(id, shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: 0})
		}
	}
	app := metrics.NewAppTraffic()
	app.Counter("rpc").AddOut(1234)
	sim := newSimNode("real")
	sim.addTraffic(metrics.DirectionOut, metrics.TypeData, 0, 5000)
	sim.addTraffic(metrics.DirectionIn, metrics.TypeIHave, 3, 700)
	sim.disc = telemetry.UDPTraffic{BytesIn: 300, BytesOut: 200, PacketsIn: 3, PacketsOut: 2}
	return &realNode{core: core, tracker: tracker, app: app, sim: sim}
}

func (n *realNode) sources() telemetry.Sources {
	src := n.sim.sources()
	src.Relay = n.core.Snapshot
	src.Mesh = n.tracker.Snapshot
	src.App = n.app.Snapshot
	return src
}

// TestReporterDeliversTheNodesFigures: a report reaches the service on
// loopback and the stored rows are the node's own snapshots.
func TestReporterDeliversTheNodesFigures(t *testing.T) {
	clock := &sharedClock{}
	store, ts := startService(t, clock, Config{})
	synctest.Test(t, func(t *testing.T) {
		n := newRealNode(t)
		r, err := telemetry.New(ts.URL, n.sources(), telemetry.WithClock(clock.reporterNow),
			telemetry.WithHTTPClient(bubbleClient()), telemetry.WithNode("n1", "v0", "test", "my-peer-id"))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute + time.Second)
		r.Close()
		if st := r.Stats(); st.Sent != 1 || st.Built != 1 || st.Queued != 0 {
			t.Fatalf("stats %+v", st)
		}
		snap, mesh := n.core.Snapshot(), n.tracker.Snapshot()
		node := telemetry.HashPeerID("my-peer-id")
		for _, s := range snap.Shards {
			var count int
			if err := store.db.QueryRow("SELECT count FROM peer_count_by_shard WHERE node = ? AND shard = ?", node, s.Shard.Index).Scan(&count); err != nil || count != s.Inbound+s.Outbound {
				t.Errorf("shard %d: stored count %d (%v), snapshot %d", s.Shard.Index, count, err, s.Inbound+s.Outbound)
			}
			var known, inbound int
			var health string
			if err := store.db.QueryRow("SELECT known, inbound, health FROM shard_health WHERE node = ? AND shard = ?", node, s.Shard.Index).
				Scan(&known, &inbound, &health); err != nil || known != s.Known || inbound != s.Inbound {
				t.Errorf("shard %d health row: known %d inbound %d (%v), snapshot %+v", s.Shard.Index, known, inbound, err, s)
			}
			for _, m := range mesh {
				if m.Shard == s.Shard && health != m.Health.String() {
					t.Errorf("shard %d: stored health %q, tracker %v", s.Shard.Index, health, m.Health)
				}
			}
		}
		var discv5 int
		if err := store.db.QueryRow("SELECT count FROM peer_count_by_origin WHERE origin = 1").Scan(&discv5); err != nil ||
			discv5 != snap.ConnectedByOrigin[book.OriginDiscv5] {
			t.Errorf("origin discv5: stored %d (%v), snapshot %d", discv5, err, snap.ConnectedByOrigin[book.OriginDiscv5])
		}
		top, err := store.Top(context.Background(), ByProtocol, t0, t0.Add(time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"app:rpc": 1234, "discv5": 500, "/vac/waku/relay/2.0.0": 5700}
		for _, c := range top {
			if want[c.Key] != c.Bytes {
				t.Errorf("%s: %d bytes stored, node counted %d", c.Key, c.Bytes, want[c.Key])
			}
			delete(want, c.Key)
		}
		if len(want) > 0 {
			t.Errorf("missing from the store: %v", want)
		}
	})
}

// closedPort returns a loopback URL nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	return url
}

// TestReporterServiceDownBoundedQueue: with the service unreachable for 20
// intervals, a report is still built at every interval on time (the node's
// snapshots are read, nothing waits on the network), the queue holds the
// newest 3, the 17 oldest are dropped and counted, and retries back off.
func TestReporterServiceDownBoundedQueue(t *testing.T) {
	url := closedPort(t)
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var reads []time.Duration
		src := telemetry.Sources{Relay: func() relay.Snapshot {
			reads = append(reads, time.Since(start))
			return relay.Snapshot{}
		}}
		r, err := telemetry.New(url, src, telemetry.WithQueue(3), telemetry.WithBackoff(time.Second, 30*time.Second),
			telemetry.WithHTTPClient(bubbleClient()))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20*time.Minute + time.Second)
		st := r.Stats()
		closed := make(chan struct{})
		go func() { r.Close(); close(closed) }()
		synctest.Wait()
		select {
		case <-closed:
		default:
			t.Fatal("Close blocked")
		}
		if st.Built != 20 || st.Queued != 3 || st.Dropped != 17 || st.Sent != 0 {
			t.Errorf("stats %+v, want 20 built, 3 queued, 17 dropped", st)
		}
		for i, at := range reads {
			if at != time.Duration(i+1)*time.Minute {
				t.Errorf("snapshot %d read at %v, want %v", i, at, time.Duration(i+1)*time.Minute)
			}
		}
		// Backoff: 1 s doubling to 30 s, with jitter in [d/2, d]: over 20
		// minutes at least 40 and at most about 90 attempts, not one per
		// millisecond.
		if st.Attempts < 40 || st.Attempts > 100 || st.Failures != st.Attempts {
			t.Errorf("%d attempts, %d failures over 20 minutes", st.Attempts, st.Failures)
		}
	})
}

// TestReporterDrainsAfterOutage: while the service answers 503 the
// reports wait; when it is back, the queued ones arrive oldest first.
func TestReporterDrainsAfterOutage(t *testing.T) {
	clock := &sharedClock{}
	store := freshSQLite(t)
	real := NewServer(store, Config{Now: clock.serviceNow, Burst: 100})
	var down atomic.Bool
	down.Store(true)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		real.ServeHTTP(w, r)
	}))
	defer ts.Close()
	synctest.Test(t, func(t *testing.T) {
		n := newSimNode("n", 1)
		r, err := telemetry.New(ts.URL, n.sources(), telemetry.WithClock(clock.reporterNow), telemetry.WithQueue(5),
			telemetry.WithBackoff(time.Second, 20*time.Second), telemetry.WithHTTPClient(bubbleClient()),
			telemetry.WithNode("n", "", "", ""))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		time.Sleep(time.Second) // off the reporter's ticks
		for range 4 {
			time.Sleep(time.Minute)
			n.addTraffic(metrics.DirectionOut, metrics.TypeData, 1, 100)
		}
		if st := r.Stats(); st.Queued != 4 || st.Sent != 0 || st.Failures == 0 {
			t.Fatalf("during the outage: %+v", st)
		}
		down.Store(false)
		time.Sleep(30 * time.Second) // longer than the longest backoff
		if st := r.Stats(); st.Queued != 0 || st.Sent != 4 {
			t.Fatalf("after the outage: %+v", st)
		}
		rows, err := store.db.Query("SELECT ts, bytes FROM gossip_bytes ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var last int64
		var total int64
		for rows.Next() {
			var ts, b int64
			rows.Scan(&ts, &b)
			if ts < last {
				t.Errorf("report of %d stored after one of %d", ts, last)
			}
			last, total = ts, total+b
		}
		if total != 300 {
			t.Errorf("stored %d gossip bytes, the node counted 300 before the last report", total)
		}
	})
}

// TestReporterHonoursRetryAfter: the service allows one report per 10
// minutes; after its 429 the reporter waits for the Retry-After it was
// given (longer than its own backoff) before trying again.
func TestReporterHonoursRetryAfter(t *testing.T) {
	clock := &sharedClock{}
	_, ts := startService(t, clock, Config{RatePerClient: 1.0 / 600, Burst: 1})
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		r, err := telemetry.New(ts.URL, newSimNode("n", 1).sources(), telemetry.WithClock(clock.reporterNow),
			telemetry.WithBackoff(time.Second, 2*time.Minute), telemetry.WithHTTPClient(bubbleClient()))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		time.Sleep(2*time.Minute + time.Second) // report 1 sent at 1 min, report 2 refused at 2 min
		if st := r.Stats(); st.Sent != 1 || st.RateLimited != 1 || st.Attempts != 2 {
			t.Fatalf("at 2 min: %+v", st)
		}
		time.Sleep(time.Until(start.Add(10*time.Minute + 50*time.Second)))
		if st := r.Stats(); st.Attempts != 2 {
			t.Fatalf("retried before Retry-After (540 s after the 429): %+v", st)
		}
		// Past 11 min the service has a token again: report 2 goes, and
		// report 3, tried at once, is refused with the next Retry-After.
		time.Sleep(20 * time.Second)
		if st := r.Stats(); st.Sent != 2 || st.Attempts != 4 || st.RateLimited != 2 {
			t.Fatalf("at 11 min 10 s: %+v", st)
		}
	})
}
