package peermanager

import (
	"fmt"
	"net/netip"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/book"
	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/protocols"
)

func qid(i int) peerid.ID { return peerid.ID(fmt.Sprintf("peer-%06d", i)) }

func TestEventQueueCoalescing(t *testing.T) {
	a, b := qid(1), qid(2)
	ip := netip.MustParseAddr("192.0.2.1")
	relayOnly := []string{protocols.Relay}
	cases := []struct {
		name string
		in   []relay.Event
		want []relay.Event
	}{
		{"a disconnection is kept",
			[]relay.Event{relay.PeerDisconnected{ID: a}},
			[]relay.Event{relay.PeerDisconnected{ID: a}}},
		{"connected and gone before the loop ran: nothing to apply",
			[]relay.Event{relay.PeerConnected{ID: a, Direction: book.Inbound, IP: ip}, relay.PeerIdentified{ID: a, Protocols: relayOnly},
				relay.MetadataFailed{ID: a}, relay.PeerDisconnected{ID: a}},
			nil},
		{"a disconnection comes before the next connection",
			[]relay.Event{relay.PeerDisconnected{ID: a}, relay.PeerConnected{ID: a, Direction: book.Outbound, IP: ip}},
			[]relay.Event{relay.PeerDisconnected{ID: a}, relay.PeerConnected{ID: a, Direction: book.Outbound, IP: ip}}},
		{"churn after a seen connection ends disconnected, identify of it kept",
			[]relay.Event{relay.PeerIdentified{ID: a, Protocols: relayOnly}, relay.PeerDisconnected{ID: a}, relay.PeerConnected{ID: a, Direction: book.Inbound},
				relay.PeerDisconnected{ID: a}, relay.PeerConnected{ID: a, Direction: book.Outbound}, relay.PeerDisconnected{ID: a}},
			[]relay.Event{relay.PeerDisconnected{ID: a}, relay.PeerIdentified{ID: a, Protocols: relayOnly}}},
		{"a dial outcome survives its connection's churn",
			[]relay.Event{relay.PeerConnected{ID: a, Direction: book.Outbound}, relay.DialSucceeded{ID: a}, relay.PeerDisconnected{ID: a}},
			[]relay.Event{relay.DialSucceeded{ID: a}}},
		{"latest per peer, entries in first-event order",
			[]relay.Event{relay.RTTMeasured{ID: b, RTT: time.Second}, relay.ServicePeerChanged{ID: a, InUse: true},
				relay.RTTMeasured{ID: b, RTT: 2 * time.Second}, relay.ServicePeerChanged{ID: a, InUse: false},
				relay.MetadataFailed{ID: b}, relay.MetadataReceived{ID: b, Cluster: 1}},
			[]relay.Event{relay.MetadataReceived{ID: b, Cluster: 1}, relay.RTTMeasured{ID: b, RTT: 2 * time.Second},
				relay.ServicePeerChanged{ID: a, InUse: false}}},
		{"latest subscription state per shard",
			[]relay.Event{relay.Subscribed{Shard: twn(3)}, relay.Unsubscribed{Shard: twn(3)}, relay.Subscribed{Shard: twn(4)}, relay.DiscoveryDone{Shard: twn(3)},
				relay.Unsubscribed{Shard: twn(4)}, relay.Subscribed{Shard: twn(3)}},
			[]relay.Event{relay.Subscribed{Shard: twn(3)}, relay.DiscoveryDone{Shard: twn(3)}, relay.Unsubscribed{Shard: twn(4)}}},
		{"an offline spell is not lost when the node is back online",
			[]relay.Event{relay.OnlineChanged{Online: false}, relay.OnlineChanged{Online: true}, relay.OnlineChanged{Online: false},
				relay.OnlineChanged{Online: true}, relay.TargetsChanged{Inbound: 1, Outbound: 2}, relay.TargetsChanged{Inbound: 3, Outbound: 4}},
			[]relay.Event{relay.OnlineChanged{Online: false}, relay.OnlineChanged{Online: true}, relay.TargetsChanged{Inbound: 3, Outbound: 4}}},
		{"online only",
			[]relay.Event{relay.OnlineChanged{Online: true}},
			[]relay.Event{relay.OnlineChanged{Online: true}}},
	}
	for _, c := range cases {
		q := newEventQueue(16)
		for _, ev := range c.in {
			if !q.push(ev) {
				t.Fatalf("%s: %T dropped", c.name, ev)
			}
		}
		got := q.drain(nil)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.name, got, c.want)
		}
		if q.Len() != 0 || q.drain(nil) != nil {
			t.Errorf("%s: queue not empty after drain", c.name)
		}
	}
}

// TestEventQueueDropsOnlyStatelessEventsWhenFull: at its limit the queue
// drops discovery, RTT, identify and metadata events of peers without an
// entry, and still takes every connection, dial, service, shard and node
// event.
func TestEventQueueDropsOnlyStatelessEventsWhenFull(t *testing.T) {
	q := newEventQueue(2)
	q.push(relay.PeerDiscovered{Peer: book.DiscoveredPeer{ID: qid(1)}})
	q.push(relay.PeerDiscovered{Peer: book.DiscoveredPeer{ID: qid(2)}})
	for i, ev := range []relay.Event{relay.PeerDiscovered{Peer: book.DiscoveredPeer{ID: qid(3)}}, relay.RTTMeasured{ID: qid(3)},
		relay.PeerIdentified{ID: qid(3)}, relay.MetadataFailed{ID: qid(3)}, relay.MetadataReceived{ID: qid(3)}} {
		if q.push(ev) {
			t.Fatalf("event %d (%T) taken beyond the limit", i, ev)
		}
	}
	if q.Dropped() != 5 {
		t.Fatalf("dropped %d, want 5", q.Dropped())
	}
	kept := []relay.Event{relay.PeerDisconnected{ID: qid(4)}, relay.PeerConnected{ID: qid(5)}, relay.DialFailed{ID: qid(6)},
		relay.DialSucceeded{ID: qid(7)}, relay.ServicePeerChanged{ID: qid(8)}, relay.Subscribed{Shard: twn(1)}, relay.DiscoveryDone{Shard: twn(2)},
		relay.OnlineChanged{}, relay.RTTMeasured{ID: qid(1)}}
	for _, ev := range kept {
		if !q.push(ev) {
			t.Fatalf("%T dropped", ev)
		}
	}
	if got := len(q.drain(nil)); got != 2+len(kept) {
		t.Fatalf("drained %d events, want %d", got, 2+len(kept))
	}
}

// TestManagerQueueBoundedUnderFlood stalls a running Manager's loop and
// pushes 100 000 events at it: discovery of 50 000 distinct peers,
// connection churn of 1000 peers, disconnection of 100 peers the loop had
// seen connect, subscription and online flips, RTT samples and service-peer
// flags. The queue must stay within its limit plus one entry per peer or
// shard with state to deliver, and once the loop runs again the book must
// show exactly the final connection state, subscriptions and online state.
func TestManagerQueueBoundedUnderFlood(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 1, simhost.WithoutPubsub())
		m, err := NewManager(nw.Node(0).Host, WithoutMetadata(), WithBookOptions(book.WithCapacity(4000)))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := m.Close(); err != nil {
				t.Error(err)
			}
		}()
		const (
			seen     = 100  // connected before the stall, disconnected during it
			churning = 1000 // connect and disconnect during the stall
			rounds   = 10
			shards   = 100
			found    = 50_000
		)
		for i := range seen {
			m.push(relay.PeerConnected{ID: qid(i), Direction: book.Inbound})
		}
		synctest.Wait()
		m.ReadBook(func(b *book.Book) {
			if n := b.ConnectedPeers().Len(); n != seen {
				t.Fatalf("%d peers connected before the stall, want %d", n, seen)
			}
		})

		stalled, release := make(chan struct{}), make(chan struct{})
		go m.ReadBook(func(*book.Book) { close(stalled); <-release })
		<-stalled
		pushed, peak := 0, 0
		push := func(ev relay.Event) {
			m.push(ev)
			pushed++
			m.qmu.Lock()
			peak = max(peak, m.queue.Len())
			m.qmu.Unlock()
		}
		for i := range seen {
			push(relay.PeerDisconnected{ID: qid(i)})
		}
		for r := range rounds {
			for i := range churning {
				id := qid(seen + i)
				push(relay.PeerConnected{ID: id, Direction: book.Outbound})
				push(relay.RTTMeasured{ID: id, RTT: time.Duration(r+1) * time.Millisecond})
				// The last round leaves even peers connected.
				if r < rounds-1 || i%2 == 1 {
					push(relay.PeerDisconnected{ID: id})
				}
			}
			for s := range shards {
				if r%2 == 0 || s%2 == 1 {
					push(relay.Subscribed{Shard: twn(uint16(s))})
				} else {
					push(relay.Unsubscribed{Shard: twn(uint16(s))})
				}
			}
			push(relay.OnlineChanged{Online: r%2 == 1})
			push(relay.ServicePeerChanged{ID: qid(0), InUse: r%2 == 0})
		}
		for i := range found {
			push(relay.PeerDiscovered{Peer: book.DiscoveredPeer{ID: qid(10_000_000 + i), Origin: book.OriginDiscv5}})
		}
		for pushed < 100_000 {
			push(relay.RTTMeasured{ID: qid(seen), RTT: time.Millisecond})
		}
		// Pending state: the 100 disconnections, the 500 peers left
		// connected, 100 shards, the node; the rest is within the limit.
		if bound := DefaultMaxQueuedEntries + seen + churning/2 + shards + 1; peak > bound {
			t.Fatalf("queue peaked at %d entries for %d events, bound %d", peak, pushed, bound)
		}
		close(release)
		synctest.Wait()

		snap := m.Snapshot()
		if snap.EventsQueued != 0 {
			t.Fatalf("%d entries still queued", snap.EventsQueued)
		}
		if snap.EventsDropped < found-DefaultMaxQueuedEntries {
			t.Errorf("dropped %d events, want at least %d discoveries", snap.EventsDropped, found-DefaultMaxQueuedEntries)
		}
		t.Logf("%d events, queue peak %d entries, %d dropped", pushed, peak, snap.EventsDropped)
		m.ReadBook(func(b *book.Book) {
			connected := func(i int) bool {
				p := b.Get(qid(i))
				return p != nil && p.Connectedness() == book.Connected
			}
			for i := range seen {
				if connected(i) {
					t.Fatalf("peer %d still connected: its disconnection was lost", i)
				}
			}
			for i := range churning {
				if want := i%2 == 0; connected(seen+i) != want {
					t.Fatalf("churning peer %d connected %v, want %v", i, !want, want)
				}
			}
			if n := b.ConnectedPeers().Len(); n != churning/2 {
				t.Fatalf("%d peers connected, want %d", n, churning/2)
			}
			if p := b.Get(qid(seen)); p == nil || p.Direction() != book.Outbound {
				t.Fatal("direction of the last connection lost")
			}
		})
		m.mu.Lock()
		sub, online := m.core.Subscribed(), m.core.Online()
		m.mu.Unlock()
		for s := range uint16(shards) {
			if want := s%2 == 1; sub.Contains(s) != want {
				t.Errorf("shard %d subscribed %v, want %v", s, !want, want)
			}
		}
		if !online {
			t.Error("core offline; the last event said online")
		}
	})
}
