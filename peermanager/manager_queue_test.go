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
)

func qid(i int) peerid.ID { return peerid.ID(fmt.Sprintf("peer-%06d", i)) }

func TestEventQueueCoalescing(t *testing.T) {
	a, b := qid(1), qid(2)
	ip := netip.MustParseAddr("192.0.2.1")
	relay := []string{ProtocolRelay}
	cases := []struct {
		name string
		in   []Event
		want []Event
	}{
		{"a disconnection is kept",
			[]Event{PeerDisconnected{ID: a}},
			[]Event{PeerDisconnected{ID: a}}},
		{"connected and gone before the loop ran: nothing to apply",
			[]Event{PeerConnected{ID: a, Direction: book.Inbound, IP: ip}, PeerIdentified{ID: a, Protocols: relay},
				MetadataFailed{ID: a}, PeerDisconnected{ID: a}},
			nil},
		{"a disconnection comes before the next connection",
			[]Event{PeerDisconnected{ID: a}, PeerConnected{ID: a, Direction: book.Outbound, IP: ip}},
			[]Event{PeerDisconnected{ID: a}, PeerConnected{ID: a, Direction: book.Outbound, IP: ip}}},
		{"churn after a seen connection ends disconnected, identify of it kept",
			[]Event{PeerIdentified{ID: a, Protocols: relay}, PeerDisconnected{ID: a}, PeerConnected{ID: a, Direction: book.Inbound},
				PeerDisconnected{ID: a}, PeerConnected{ID: a, Direction: book.Outbound}, PeerDisconnected{ID: a}},
			[]Event{PeerDisconnected{ID: a}, PeerIdentified{ID: a, Protocols: relay}}},
		{"a dial outcome survives its connection's churn",
			[]Event{PeerConnected{ID: a, Direction: book.Outbound}, DialSucceeded{ID: a}, PeerDisconnected{ID: a}},
			[]Event{DialSucceeded{ID: a}}},
		{"latest per peer, entries in first-event order",
			[]Event{RTTMeasured{ID: b, RTT: time.Second}, ServicePeerChanged{ID: a, InUse: true},
				RTTMeasured{ID: b, RTT: 2 * time.Second}, ServicePeerChanged{ID: a, InUse: false},
				MetadataFailed{ID: b}, MetadataReceived{ID: b, Cluster: 1}},
			[]Event{MetadataReceived{ID: b, Cluster: 1}, RTTMeasured{ID: b, RTT: 2 * time.Second},
				ServicePeerChanged{ID: a, InUse: false}}},
		{"latest subscription state per shard",
			[]Event{Subscribed{Shard: 3}, Unsubscribed{Shard: 3}, Subscribed{Shard: 4}, DiscoveryDone{Shard: 3},
				Unsubscribed{Shard: 4}, Subscribed{Shard: 3}},
			[]Event{Subscribed{Shard: 3}, DiscoveryDone{Shard: 3}, Unsubscribed{Shard: 4}}},
		{"an offline spell is not lost when the node is back online",
			[]Event{OnlineChanged{Online: false}, OnlineChanged{Online: true}, OnlineChanged{Online: false},
				OnlineChanged{Online: true}, TargetsChanged{Inbound: 1, Outbound: 2}, TargetsChanged{Inbound: 3, Outbound: 4}},
			[]Event{OnlineChanged{Online: false}, OnlineChanged{Online: true}, TargetsChanged{Inbound: 3, Outbound: 4}}},
		{"online only",
			[]Event{OnlineChanged{Online: true}},
			[]Event{OnlineChanged{Online: true}}},
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
	q.push(PeerDiscovered{Peer: book.DiscoveredPeer{ID: qid(1)}})
	q.push(PeerDiscovered{Peer: book.DiscoveredPeer{ID: qid(2)}})
	for i, ev := range []Event{PeerDiscovered{Peer: book.DiscoveredPeer{ID: qid(3)}}, RTTMeasured{ID: qid(3)},
		PeerIdentified{ID: qid(3)}, MetadataFailed{ID: qid(3)}, MetadataReceived{ID: qid(3)}} {
		if q.push(ev) {
			t.Fatalf("event %d (%T) taken beyond the limit", i, ev)
		}
	}
	if q.Dropped() != 5 {
		t.Fatalf("dropped %d, want 5", q.Dropped())
	}
	kept := []Event{PeerDisconnected{ID: qid(4)}, PeerConnected{ID: qid(5)}, DialFailed{ID: qid(6)},
		DialSucceeded{ID: qid(7)}, ServicePeerChanged{ID: qid(8)}, Subscribed{Shard: 1}, DiscoveryDone{Shard: 2},
		OnlineChanged{}, RTTMeasured{ID: qid(1)}}
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
			m.push(PeerConnected{ID: qid(i), Direction: book.Inbound})
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
		push := func(ev Event) {
			m.push(ev)
			pushed++
			m.qmu.Lock()
			peak = max(peak, m.queue.Len())
			m.qmu.Unlock()
		}
		for i := range seen {
			push(PeerDisconnected{ID: qid(i)})
		}
		for r := range rounds {
			for i := range churning {
				id := qid(seen + i)
				push(PeerConnected{ID: id, Direction: book.Outbound})
				push(RTTMeasured{ID: id, RTT: time.Duration(r+1) * time.Millisecond})
				// The last round leaves even peers connected.
				if r < rounds-1 || i%2 == 1 {
					push(PeerDisconnected{ID: id})
				}
			}
			for s := range shards {
				if r%2 == 0 || s%2 == 1 {
					push(Subscribed{Shard: uint16(s)})
				} else {
					push(Unsubscribed{Shard: uint16(s)})
				}
			}
			push(OnlineChanged{Online: r%2 == 1})
			push(ServicePeerChanged{ID: qid(0), InUse: r%2 == 0})
		}
		for i := range found {
			push(PeerDiscovered{Peer: book.DiscoveredPeer{ID: qid(10_000_000 + i), Origin: book.OriginDiscv5}})
		}
		for pushed < 100_000 {
			push(RTTMeasured{ID: qid(seen), RTT: time.Millisecond})
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
