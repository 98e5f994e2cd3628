package main

import (
	"encoding/binary"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// probe is the simulator's own view of one node's gossipsub, independent of
// the policy under test: the mesh of every topic (from the RawTracer's
// Graft, Prune, Leave and peer-removal calls) and the first delivery of each
// simulated message. It is the ground truth the report is computed from.
type probe struct {
	node       int
	deliveries *deliveryLog

	mu   sync.Mutex
	mesh map[string]map[peer.ID]struct{}
}

var _ pubsub.RawTracer = (*probe)(nil)

func newProbe(node int, log *deliveryLog) *probe {
	return &probe{node: node, deliveries: log, mesh: make(map[string]map[peer.ID]struct{})}
}

// meshSize returns the number of mesh peers on topic.
func (p *probe) meshSize(topic string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.mesh[topic])
}

// Graft records p in the mesh of topic.
func (p *probe) Graft(id peer.ID, topic string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.mesh[topic]
	if m == nil {
		m = make(map[peer.ID]struct{})
		p.mesh[topic] = m
	}
	m[id] = struct{}{}
}

// Prune removes p from the mesh of topic.
func (p *probe) Prune(id peer.ID, topic string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.mesh[topic], id)
}

// Leave drops the whole mesh of topic.
func (p *probe) Leave(topic string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.mesh, topic)
}

// OnClosedOutboundStream is how gossipsub v0.19 reports a peer gone: it
// leaves every mesh without a Prune call.
func (p *probe) OnClosedOutboundStream(id peer.ID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.mesh {
		delete(m, id)
	}
}

// DeliverMessage records the first delivery of a simulated message to this
// node (gossipsub calls it once per message id; local publishes are
// skipped).
func (p *probe) DeliverMessage(msg *pubsub.Message) {
	if msg.Local {
		return
	}
	data := msg.GetData()
	if len(data) < minPayload {
		return
	}
	p.deliveries.record(int(binary.BigEndian.Uint64(data)), p.node, time.Now())
}

// The remaining RawTracer methods are not needed by the simulator.

func (*probe) OnNewOutboundStream(peer.ID, protocol.ID)             {}
func (*probe) Join(string)                                          {}
func (*probe) ValidateMessage(*pubsub.Message)                      {}
func (*probe) RejectMessage(*pubsub.Message, string)                {}
func (*probe) DuplicateMessage(*pubsub.Message)                     {}
func (*probe) ThrottlePeer(peer.ID)                                 {}
func (*probe) RecvRPC(*pubsub.RPC)                                  {}
func (*probe) SendRPC(*pubsub.RPC, peer.ID)                         {}
func (*probe) SendRPCCompleted(*pubsub.RPC, peer.ID, time.Duration) {}
func (*probe) DropRPC(*pubsub.RPC, peer.ID)                         {}
func (*probe) UndeliverableMessage(*pubsub.Message)                 {}

// payload builds the data of message seq: its sequence number, then filler.
func payload(seq, size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint64(b, uint64(seq))
	return b
}

// deliveryWindow is how long after publication a receiver must stay in the
// network to be expected to receive a message.
const deliveryWindow = 5 * time.Second

// deliveryLog collects the deliveries of one run.
type deliveryLog struct {
	sc *Scenario

	mu          sync.Mutex
	publishedAt map[int]time.Time // seq -> virtual time of publication
	delivered   [][]uint64        // per node, a bit per seq: reached
	latencies   []time.Duration
}

func newDeliveryLog(sc *Scenario) *deliveryLog {
	return &deliveryLog{sc: sc, publishedAt: make(map[int]time.Time), delivered: make([][]uint64, len(sc.Nodes))}
}

// published notes that message seq left its publisher at t.
func (l *deliveryLog) published(seq int, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.publishedAt[seq] = t
}

// expected reports whether node must receive publication p: an honest node
// subscribed to the shard, other than the publisher, in the network from
// the publication until deliveryWindow after it.
func (l *deliveryLog) expected(p Publish, node int) bool {
	n := &l.sc.Nodes[node]
	return node != p.Publisher && n.Role == Honest && n.Subscribed.Contains(p.Shard) &&
		n.AliveAt(p.At) && n.AliveAt(p.At+deliveryWindow)
}

func (l *deliveryLog) record(seq, node int, at time.Time) {
	if seq < 0 || seq >= len(l.sc.Publishes) || !l.expected(l.sc.Publishes[seq], node) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	sent, ok := l.publishedAt[seq]
	if !ok {
		return
	}
	bits := l.delivered[node]
	if bits == nil {
		bits = make([]uint64, (len(l.sc.Publishes)+63)/64)
		l.delivered[node] = bits
	}
	if bits[seq/64]&(1<<(seq%64)) != 0 {
		return
	}
	bits[seq/64] |= 1 << (seq % 64)
	l.latencies = append(l.latencies, at.Sub(sent))
}

// deliveryStats summarises a run's deliveries.
type deliveryStats struct {
	Published int             // messages actually published
	Expected  int             // (message, receiver) pairs expected
	Delivered int             // of those, reached
	Latencies []time.Duration // of the reached pairs
}

func (l *deliveryLog) stats() deliveryStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := deliveryStats{Published: len(l.publishedAt), Latencies: append([]time.Duration(nil), l.latencies...)}
	st.Delivered = len(l.latencies)
	for seq, p := range l.sc.Publishes {
		if _, ok := l.publishedAt[seq]; !ok {
			continue
		}
		for node := range l.sc.Nodes {
			if l.expected(p, node) {
				st.Expected++
			}
		}
	}
	return st
}
