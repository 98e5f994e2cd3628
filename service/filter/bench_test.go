package filter

import (
	"fmt"
	"testing"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/service/subscriptions"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// BenchmarkDeliverFanOut1000: one relayed message to 1000 subscribers of
// its content topic: match, encode the push once, queue it for each. The
// stream writes (one per subscriber, on the workers) are not measured: the
// workers here drain their queues without a network.
func BenchmarkDeliverFanOut1000(b *testing.B) {
	const n = 1000
	const topic = "/waku/2/rs/16/32"
	s := &Server{cfg: defaultConfig(), table: subscriptions.New(0), subs: map[peerid.ID]*subscriber{}}
	stop := make(chan struct{})
	defer close(stop)
	for i := range n {
		id := peerid.ID(fmt.Sprintf("peer-%04d", i))
		if err := s.table.Subscribe(id, topic, []string{"/app/1/chat/proto"}); err != nil {
			b.Fatal(err)
		}
		sub := &subscriber{q: make(chan []byte, DefaultQueueLen), stop: stop}
		s.subs[id] = sub
		go func() {
			for {
				select {
				case <-sub.q:
				case <-stop:
					return
				}
			}
		}()
	}
	msg := protected.Message{Payload: make([]byte, 512), ContentTopic: "/app/1/chat/proto", Timestamp: time.Now().UnixNano()}.Marshal()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if q := s.Deliver(topic, msg); q == 0 {
			b.Fatal("nothing queued")
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(s.dropped.Load())/float64(b.N), "drops/op")
}
