package metadata

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/peermanager/internal/frame"
	"github.com/wakupm/wakupm/shardmesh"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newHost starts a real libp2p host listening on loopback TCP.
func newHost(t *testing.T) host.Host {
	t.Helper()
	h, err := libp2p.New(
		libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"),
		libp2p.DisableRelay(),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

func connect(t *testing.T, a, b host.Host) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
		t.Fatal(err)
	}
}

// node is a host with a mounted metadata service whose shards can change.
type node struct {
	host   host.Host
	svc    *Service
	shards atomic.Pointer[shardmesh.ShardSet]
	seen   chan Metadata // requests received, as told to the observer
}

func newNode(t *testing.T, cluster uint16, set shardmesh.ShardSet, opts ...Option) *node {
	t.Helper()
	n := &node{host: newHost(t), seen: make(chan Metadata, 8)}
	n.shards.Store(&set)
	opts = append([]Option{
		WithShards(func() shardmesh.ShardSet { return *n.shards.Load() }),
		WithRequestObserver(func(_ peer.ID, m Metadata) {
			select {
			case n.seen <- m:
			default:
			}
		}),
	}, opts...)
	svc, err := NewService(n.host, cluster, opts...)
	if err != nil {
		t.Fatal(err)
	}
	svc.Start()
	t.Cleanup(func() { _ = svc.Close() })
	n.svc = svc
	return n
}

func TestInteropSameCluster(t *testing.T) {
	a := newNode(t, shardmesh.ClusterStatus, shards(t, 32, 64))
	b := newNode(t, shardmesh.ClusterStatus, shards(t, 64, 128))
	connect(t, a.host, b.host)

	got, err := a.svc.Request(context.Background(), b.host.ID())
	if err != nil {
		t.Fatal(err)
	}
	if want := New(shardmesh.ClusterStatus, shards(t, 64, 128)); got != want {
		t.Fatalf("a learned %+v, want %+v", got, want)
	}
	// The responder learned the requester's metadata from the request.
	select {
	case m := <-b.seen:
		if want := New(shardmesh.ClusterStatus, shards(t, 32, 64)); m != want {
			t.Fatalf("b learned %+v, want %+v", m, want)
		}
	default:
		t.Fatal("b's observer was not told a's metadata")
	}
	d := DefaultPolicy(shardmesh.ClusterStatus, shards(t, 32, 64)).Decide(got, err)
	if d != (Decision{Action: Keep, Reason: ReasonSameCluster}) {
		t.Fatalf("decision %+v", d)
	}

	// Shards follow subscriptions: b leaves 64, joins 7.
	next := shards(t, 7, 128)
	b.shards.Store(&next)
	got, err = a.svc.Request(context.Background(), b.host.ID())
	if err != nil || got.Shards != next {
		t.Fatalf("after resubscribing b answers %v, %v; want %v", got.Shards, err, next)
	}
	d = DefaultPolicy(shardmesh.ClusterStatus, shards(t, 32, 64)).Decide(got, err)
	if d != (Decision{Action: Keep, Reason: ReasonNoSharedShard}) {
		t.Fatalf("a shard mismatch alone must keep the peer, got %+v", d)
	}
}

func TestInteropDifferentClusterDisconnects(t *testing.T) {
	a := newNode(t, shardmesh.ClusterStatus, shards(t, 32))
	b := newNode(t, shardmesh.ClusterTWN, shards(t, 0, 1))
	connect(t, a.host, b.host)

	got, err := a.svc.Request(context.Background(), b.host.ID())
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := got.ClusterID(); !ok || c != shardmesh.ClusterTWN {
		t.Fatalf("b reported cluster %d, %v", c, ok)
	}
	d := DefaultPolicy(shardmesh.ClusterStatus, shards(t, 32)).Decide(got, err)
	if d != (Decision{Action: Disconnect, Reason: ReasonClusterMismatch}) {
		t.Fatalf("decision %+v", d)
	}
	// The caller carries the action out.
	if err := a.host.Network().ClosePeer(b.host.ID()); err != nil {
		t.Fatal(err)
	}
	if c := a.host.Network().Connectedness(b.host.ID()); c == network.Connected {
		t.Fatal("still connected after the disconnect")
	}

	// b, on TWN, judges a the same way from a's request.
	select {
	case m := <-b.seen:
		if d := DefaultPolicy(shardmesh.ClusterTWN, shards(t, 0, 1)).Decide(m, nil); d.Action != Disconnect {
			t.Fatalf("b's decision on a: %+v", d)
		}
	default:
		t.Fatal("b's observer was not told a's metadata")
	}
}

func TestPeerWithoutTheProtocol(t *testing.T) {
	a := newNode(t, shardmesh.ClusterTWN, shards(t, 0))
	b := newHost(t) // no metadata service
	connect(t, a.host, b)

	_, err := a.svc.Request(context.Background(), b.ID())
	var re *RequestError
	if !errors.As(err, &re) || re.Stage != StageOpen || !errors.Is(err, ErrUnsupported) {
		t.Fatalf("want an unsupported-protocol RequestError at open, got %v", err)
	}
	if d := DefaultPolicy(shardmesh.ClusterTWN, shardmesh.ShardSet{}).Decide(Metadata{}, err); d != (Decision{Disconnect, ReasonUnsupported}) {
		t.Fatalf("TWN must disconnect: %+v", d)
	}
	if d := DefaultPolicy(shardmesh.ClusterStatus, shardmesh.ShardSet{}).Decide(Metadata{}, err); d != (Decision{Keep, ReasonUnsupported}) {
		t.Fatalf("lenient policy keeps the peer: %+v", d)
	}
}

// misbehaving mounts a raw handler on a fresh host that reads the request and
// then calls answer.
func misbehaving(t *testing.T, answer func(network.Stream)) host.Host {
	h := newHost(t)
	h.SetStreamHandler(ProtocolID, func(st network.Stream) {
		if _, err := frame.Read(st, MaxWriteSize); err != nil {
			_ = st.Reset()
			return
		}
		answer(st)
		_ = st.Close()
	})
	return h
}

func TestSilentPeerTimesOut(t *testing.T) {
	a := newNode(t, 16, shardmesh.ShardSet{}, WithTimeout(300*time.Millisecond))
	b := misbehaving(t, func(st network.Stream) {
		_, _ = io.Copy(io.Discard, st) // never answer; returns when a resets
	})
	connect(t, a.host, b)

	_, err := a.svc.Request(context.Background(), b.ID())
	var re *RequestError
	if !errors.As(err, &re) || re.Stage != StageRead || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a read timeout, got %v", err)
	}
	if d := DefaultPolicy(16, shardmesh.ShardSet{}).Decide(Metadata{}, err); d != (Decision{Keep, ReasonRequestFailed}) {
		t.Fatalf("decision %+v", d)
	}
}

func TestOversizedAnswerRejected(t *testing.T) {
	a := newNode(t, 16, shardmesh.ShardSet{})
	b := misbehaving(t, func(st network.Stream) {
		_ = frame.Write(st, make([]byte, DefaultMaxReadSize+1))
	})
	connect(t, a.host, b)

	_, err := a.svc.Request(context.Background(), b.ID())
	var se *frame.SizeError
	if !errors.As(err, &se) || se.Size != DefaultMaxReadSize+1 {
		t.Fatalf("want a size error, got %v", err)
	}
}

func TestMalformedAnswer(t *testing.T) {
	a := newNode(t, 16, shardmesh.ShardSet{})
	b := misbehaving(t, func(st network.Stream) {
		_ = frame.Write(st, []byte{0x08}) // cluster tag without its value
	})
	connect(t, a.host, b)

	_, err := a.svc.Request(context.Background(), b.ID())
	var re *RequestError
	var de *DecodeError
	if !errors.As(err, &re) || re.Stage != StageDecode || !errors.As(err, &de) {
		t.Fatalf("want a decode error, got %v", err)
	}
}

func TestCallerCancellationIsNoVerdict(t *testing.T) {
	a := newNode(t, 16, shardmesh.ShardSet{})
	answered := make(chan struct{})
	b := misbehaving(t, func(st network.Stream) {
		close(answered)
		_, _ = io.Copy(io.Discard, st)
	})
	connect(t, a.host, b)

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-answered // the request reached b; now give up
		cancel()
	}()
	_, err := a.svc.Request(ctx, b.ID())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if d := DefaultPolicy(shardmesh.ClusterTWN, shardmesh.ShardSet{}).Decide(Metadata{}, err); d.Action != NoVerdict {
		t.Fatalf("a cancelled request says nothing about the peer: %+v", d)
	}
}

func TestOptionsValidate(t *testing.T) {
	h := newHost(t)
	bad := []Option{
		WithShards(nil), WithTimeout(0), WithMaxReadSize(100), WithLogger(nil), WithRequestObserver(nil),
	}
	for _, o := range bad {
		var oe *OptionError
		if _, err := NewService(h, 1, o); !errors.As(err, &oe) {
			t.Errorf("want *OptionError, got %v", err)
		}
	}
	if _, err := NewService(nil, 1); err == nil {
		t.Error("nil host accepted")
	}
}

// TestRequestFromManyShardsFitsNwakuLimit: a node on every shard sends a
// request that a responder reading at most MaxWriteSize bytes (nwaku's
// 1024) can read, as its answers are (WIRE-10).
func TestRequestFromManyShardsFitsNwakuLimit(t *testing.T) {
	var all shardmesh.ShardSet
	for i := range uint16(shardmesh.ShardsPerCluster) {
		all.Add(i)
	}
	a := newNode(t, shardmesh.ClusterStatus, all)
	b := newNode(t, shardmesh.ClusterStatus, shards(t, 1), WithMaxReadSize(MaxWriteSize))
	connect(t, a.host, b.host)
	if _, err := a.svc.Request(context.Background(), b.host.ID()); err != nil {
		t.Fatalf("a responder with nwaku's read limit could not take our request: %v", err)
	}
	select {
	case m := <-b.seen:
		if m.Shards.Len() == 0 || m.Shards.Difference(all) != (shardmesh.ShardSet{}) {
			t.Fatalf("b learned %d shards", m.Shards.Len())
		}
	default:
		t.Fatal("b's observer was not told a's metadata")
	}
}
