package metrics

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/x/simlibp2p"
	"github.com/marcopolo/simnet"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// simNode is one real libp2p host with real gossipsub on the simulated
// network, with both accountants installed: the BandwidthTracer inside
// gossipsub and a BandwidthReporter at the libp2p stream layer.
type simNode struct {
	host     host.Host
	ps       *pubsub.PubSub
	cancel   context.CancelFunc
	tracer   *BandwidthTracer
	reporter *BandwidthReporter
	topics   []*pubsub.Topic
	subs     []*pubsub.Subscription
}

// TestBandwidthTracerAgreesWithStreamBytes runs real gossipsub between real
// hosts on x/simlibp2p in virtual time and checks the per-type split three
// independent ways: (1) per node, the tracer's total equals the bytes the
// libp2p swarm counted on the gossipsub streams; (2) over the network, every
// type's bytes sent equal the bytes received (the receivers decoded them
// with their own gossipsub); (3) every data entry weighs exactly the size of
// the message as gossipsub encodes it.
func TestBandwidthTracerAgreesWithStreamBytes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shards := []string{topic(0), topic(1)}
		nw := &simnet.Simnet{
			LatencyFunc: simnet.StaticLatency(5 * time.Millisecond),
			Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		}
		// Gossipsub heartbeats run at start + 100 ms + k s; observing at
		// start + k s + 600 ms sees no RPC in flight.
		start := time.Now()
		quiet := func(k int) {
			time.Sleep(time.Until(start.Add(time.Duration(k)*time.Second + 600*time.Millisecond)))
			synctest.Wait()
		}
		var all []*simNode
		for i := range bwSimNodes {
			all = append(all, newBandwidthSimNode(t, nw, i, shards))
		}
		nw.Start()
		defer closeBandwidthSim(t, nw, all)
		for i, n := range all {
			for j := 1; j <= 4; j++ {
				other := all[(i+j)%bwSimNodes].host
				require.NoError(t, n.host.Connect(context.Background(), peer.AddrInfo{ID: other.ID(), Addrs: other.Addrs()}))
			}
		}

		// Let the meshes form. From here on no stream is opened, so the
		// stream counters grow by gossipsub RPC bytes only (the stream
		// opening also carries multistream-select negotiation, which the
		// tracer rightly does not count).
		quiet(2)
		before := takeBandwidthCounts(all)
		for k := range bwSimPublishes {
			data := []byte(strings.Repeat(fmt.Sprintf("%04d", k), bwSimPayload/4))
			require.NoError(t, all[k%bwSimNodes].topics[k%len(shards)].Publish(context.Background(), data))
			time.Sleep(300 * time.Millisecond)
		}
		quiet(12)

		sent, dataOutEntries := checkTracerAgreesWithStreams(t, all, before)
		checkDataEntrySizes(t, shards[0], sent, dataOutEntries)
		checkIDontWantOnShards(t, all)
		t.Logf("network bytes sent by type: %v", sent)
	})
}

// The run of TestBandwidthTracerAgreesWithStreamBytes.
const (
	bwSimNodes     = 12
	bwSimPayload   = 1500 // above gossipsub's 1 KiB IDONTWANT threshold
	bwSimPublishes = 12
)

// newBandwidthSimNode starts host i on nw, at 50 Mbps each way, with
// gossipsub subscribed to every topic of shards.
func newBandwidthSimNode(t *testing.T, nw *simnet.Simnet, i int, shards []string) *simNode {
	link := simnet.NodeBiDiLinkSettings{
		Downlink: simnet.LinkSettings{BitsPerSecond: 50 * simlibp2p.OneMbps},
		Uplink:   simnet.LinkSettings{BitsPerSecond: 50 * simlibp2p.OneMbps},
	}
	n := &simNode{reporter: NewBandwidthReporter()}
	var err error
	n.tracer, err = NewBandwidthTracer(WithMessageIDFunc(sha256ID))
	require.NoError(t, err)
	n.host, err = libp2p.New(
		libp2p.ListenAddrStrings(fmt.Sprintf("/ip4/%s/udp/8000/quic-v1", simnet.IntToPublicIPv4(i))),
		simlibp2p.QUICSimnet(nw, link),
		libp2p.DisableIdentifyAddressDiscovery(),
		libp2p.ResourceManager(&network.NullResourceManager{}),
		libp2p.BandwidthReporter(n.reporter),
	)
	require.NoError(t, err)
	var ctx context.Context
	ctx, n.cancel = context.WithCancel(context.Background())
	n.ps, err = pubsub.NewGossipSub(ctx, n.host,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(sha256ID),
		pubsub.WithRawTracer(n.tracer))
	require.NoError(t, err)
	for _, tp := range shards {
		topicHandle, err := n.ps.Join(tp)
		require.NoError(t, err)
		sub, err := topicHandle.Subscribe()
		require.NoError(t, err)
		n.topics = append(n.topics, topicHandle)
		n.subs = append(n.subs, sub)
	}
	return n
}

func closeBandwidthSim(t *testing.T, nw *simnet.Simnet, all []*simNode) {
	for _, n := range all {
		for _, s := range n.subs {
			s.Cancel()
		}
		n.cancel()
	}
	for _, n := range all {
		require.NoError(t, n.host.Close())
	}
	nw.Close()
}

// bandwidthCounts is what both accountants of each node have counted.
type bandwidthCounts struct {
	stream []streamBytes
	tracer []BandwidthSnapshot
}

func takeBandwidthCounts(all []*simNode) bandwidthCounts {
	c := bandwidthCounts{stream: make([]streamBytes, len(all)), tracer: make([]BandwidthSnapshot, len(all))}
	for i, n := range all {
		c.stream[i] = meshsubBytes(n.reporter)
	}
	for i, n := range all {
		c.tracer[i] = n.tracer.BandwidthSnapshot()
	}
	return c
}

// checkTracerAgreesWithStreams checks (1) and (2) over what happened since
// before, and returns the network's bytes sent by type and the count of data
// entries sent.
func checkTracerAgreesWithStreams(t *testing.T, all []*simNode, before bandwidthCounts) (sent [NumMessageTypes]uint64, dataOutEntries uint64) {
	var recv [NumMessageTypes]uint64
	for i, n := range all {
		s := n.tracer.BandwidthSnapshot()
		stream := meshsubBytes(n.reporter)
		require.Equal(t, stream.out-before.stream[i].out, s.GossipTotal(DirectionOut)-before.tracer[i].GossipTotal(DirectionOut),
			"node %d: bytes sent since the meshes formed, tracer vs stream", i)
		require.Equal(t, stream.in-before.stream[i].in, s.GossipTotal(DirectionIn)-before.tracer[i].GossipTotal(DirectionIn),
			"node %d: bytes received since the meshes formed, tracer vs stream", i)
		require.Zero(t, s.GossipTotal(DirectionDropped), "node %d dropped RPCs", i)
		byOut, byIn := s.GossipByType(DirectionOut), s.GossipByType(DirectionIn)
		for typ := range NumMessageTypes {
			sent[typ] += byOut[typ]
			recv[typ] += byIn[typ]
		}
		for _, r := range s.Gossip {
			if r.Direction == DirectionOut && r.Type == TypeData {
				dataOutEntries += r.Entries
			}
		}
	}
	require.Equal(t, sent, recv, "bytes sent and received by message type over the network")
	return sent, dataOutEntries
}

// checkDataEntrySizes checks (3) and that every kind of control traffic
// showed up.
func checkDataEntrySizes(t *testing.T, topic string, sent [NumMessageTypes]uint64, dataOutEntries uint64) {
	// Every message of the run has the same encoded size: same topic
	// length, same data length, no author, seqno or signature.
	msg := &pb.Message{Data: make([]byte, bwSimPayload), Topic: proto.String(topic)}
	perMessage := uint64(marshalLen(t, &pb.RPC{Publish: []*pb.Message{msg}}))
	require.Equal(t, dataOutEntries*perMessage, sent[TypeData])
	// Each publish reached the nodes; flood publishing and mesh forwarding
	// send each message at least nodes-1 times.
	require.GreaterOrEqual(t, dataOutEntries, uint64(bwSimPublishes*(bwSimNodes-1)))
	for _, typ := range []MessageType{TypeGraft, TypeIHave, TypeIDontWant, TypeSubscription, TypeOverhead} {
		require.NotZero(t, sent[typ], "no %s bytes", typ)
	}
}

// checkIDontWantOnShards: IDONTWANT entries are attributed to shards once
// the message was seen.
func checkIDontWantOnShards(t *testing.T, all []*simNode) {
	var idontwantOnShard uint64
	for _, n := range all {
		for _, r := range n.tracer.BandwidthSnapshot().Gossip {
			if r.Type == TypeIDontWant && r.HasShard {
				idontwantOnShard += r.Bytes
			}
		}
	}
	require.NotZero(t, idontwantOnShard)
}

type streamBytes struct{ in, out uint64 }

// meshsubBytes sums what the libp2p swarm counted on gossipsub streams.
func meshsubBytes(r *BandwidthReporter) streamBytes {
	var b streamBytes
	for _, p := range r.BandwidthSnapshot().Protocols {
		if !strings.HasPrefix(p.Protocol, "/meshsub/") {
			continue
		}
		switch p.Direction {
		case DirectionOut:
			b.out += p.Bytes
		case DirectionIn:
			b.in += p.Bytes
		}
	}
	return b
}
