package discovery

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/peermanager/peerexchange"
	"github.com/wakupm/wakupm/shardmesh"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The in-memory node database of a discv5 LocalNode is goleveldb;
		// after Close its pool drainer lingers for up to one second
		// (leveldb/db_state.go mpoolDrain) before exiting on its own.
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"))
}

func TestStatic(t *testing.T) {
	known, _ := record{cluster: 16, shards: []uint16{32}, caps: shardmesh.CapRelay, tcp: 60000}.node(t)
	knownC, err := CandidateFromNode(known, OriginDiscv5)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := record{cluster: 16, shards: []uint16{5}, caps: shardmesh.CapRelay, tcp: 60001}.node(t)
	otherC, _ := CandidateFromNode(other, OriginDiscv5)
	byAddr, err := StaticAddrs(
		"/ip4/10.0.0.1/tcp/60000/p2p/16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ",
		"/ip4/10.0.0.1/udp/60000/quic-v1/p2p/16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ",
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(byAddr) != 1 || len(byAddr[0].AddrInfo.Addrs) != 2 {
		t.Fatalf("addresses of one peer must merge: %+v", byAddr)
	}
	src := NewStatic(append([]Candidate{knownC, otherC}, byAddr...)...)

	ch, err := src.Find(context.Background(), Request{Cluster: 16, Shards: set(t, 32), N: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(ch)
	if len(got) != 2 || got[0].AddrInfo.ID != knownC.AddrInfo.ID || got[1].AddrInfo.ID != byAddr[0].AddrInfo.ID {
		t.Fatalf("got %v", got)
	}
	for _, c := range got {
		if c.Origin != OriginStatic {
			t.Fatalf("origin %v", c.Origin)
		}
	}
	ch, _ = src.Find(context.Background(), Request{Cluster: 16, N: 1})
	if got := collect(ch); len(got) != 1 {
		t.Fatalf("N=1 returned %d", len(got))
	}
	if _, err := StaticAddrs("/ip4/10.0.0.1/tcp/1"); err == nil {
		t.Fatal("an address without /p2p accepted")
	}
	if _, err := StaticENRs(known.String()); err != nil {
		t.Fatal(err)
	}
}

func newHost(t *testing.T) host.Host {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableRelay())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// pxServer starts a peer-exchange responder serving records.
func pxServer(t *testing.T, records []*enode.Node) host.Host {
	t.Helper()
	h := newHost(t)
	s, err := peerexchange.NewServer(h, func(max int) []*enode.Node { return records[:min(max, len(records))] })
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(func() { _ = s.Close() })
	return h
}

// connectIdentified connects a to b and waits until identify told a b's
// protocols, using the event bus rather than a sleep.
func connectIdentified(t *testing.T, a, b host.Host) {
	t.Helper()
	sub, err := a.EventBus().Subscribe(new(event.EvtPeerIdentificationCompleted))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case e := <-sub.Out():
			if e.(event.EvtPeerIdentificationCompleted).Peer == b.ID() {
				return
			}
		case <-ctx.Done():
			t.Fatal("identify did not complete")
		}
	}
}

func TestPeerExchangeSource(t *testing.T) {
	relay := shardmesh.CapRelay
	var onShard, offShard []*enode.Node
	for i := range 3 {
		n, _ := record{cluster: 16, shards: []uint16{32}, caps: relay, tcp: 60000 + i}.node(t)
		onShard = append(onShard, n)
		m, _ := record{cluster: 16, shards: []uint16{7}, caps: relay, tcp: 61000 + i}.node(t)
		offShard = append(offShard, m)
	}
	noAddr, _ := record{cluster: 16, shards: []uint16{32}, caps: relay}.node(t)
	// Two responders; the first has one matching record, the second two
	// (one also known to the first) and a matching record without address.
	s1 := pxServer(t, []*enode.Node{offShard[0], onShard[0], offShard[1]})
	s2 := pxServer(t, []*enode.Node{onShard[0], noAddr, onShard[1], offShard[2], onShard[2]})

	h := newHost(t)
	connectIdentified(t, h, s1)
	connectIdentified(t, h, s2)
	servers := ConnectedResponders(h)
	if got := servers(); len(got) != 2 {
		t.Fatalf("ConnectedResponders = %v", got)
	}
	client, err := peerexchange.NewClient(h)
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewPeerExchange(client, servers, WithPrivateAddresses()) // loopback records
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	ch, err := src.Find(context.Background(), Request{Cluster: 16, Shards: set(t, 32), Capabilities: relay, N: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := map[peer.ID]bool{}
	for c := range ch {
		if c.Origin != OriginPeerExchange || !c.Shards.Contains(32) {
			t.Fatalf("unexpected candidate %+v", c)
		}
		got[c.AddrInfo.ID] = true
	}
	if len(got) != 3 {
		t.Fatalf("found %d distinct matching peers, want 3", len(got))
	}
	st := src.Stats()
	if st.Requests != 2 || st.Failures != 0 || st.Received != 8 || st.Rejected != 3 || st.Unusable != 1 {
		t.Fatalf("stats %+v", st)
	}

	// N reached after the first useful responder: at most N delivered.
	ch, _ = src.Find(context.Background(), Request{Cluster: 16, Shards: set(t, 32), N: 1})
	if n := len(collect(ch)); n != 1 {
		t.Fatalf("N=1 delivered %d", n)
	}
}

// blockingWalker yields nothing until closed, like a discv5 walk in an
// empty network.
type blockingWalker struct{}

func (blockingWalker) RandomNodes() enode.Iterator { return &blockingIter{done: make(chan struct{})} }

type blockingIter struct {
	once sync.Once
	done chan struct{}
}

func (it *blockingIter) Next() bool        { <-it.done; return false }
func (it *blockingIter) Node() *enode.Node { return nil }
func (it *blockingIter) Close()            { it.once.Do(func() { close(it.done) }) }

func TestSearchLifecycle(t *testing.T) {
	src, err := NewDiscv5(blockingWalker{}, WithMaxSearches(2))
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Cluster: 16, N: 1}

	// The caller's context ends a search.
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := src.Find(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if got := collect(ch); len(got) != 0 {
		t.Fatal("a cancelled walk delivered candidates")
	}

	// The search timeout ends a search.
	short, _ := NewDiscv5(blockingWalker{}, WithSearchTimeout(50*time.Millisecond))
	ch, _ = short.Find(context.Background(), req)
	collect(ch)
	short.Close()

	// Beyond the limit, Find refuses.
	ch1, err1 := src.Find(context.Background(), req)
	ch2, err2 := src.Find(context.Background(), req)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if _, err := src.Find(context.Background(), req); !errors.Is(err, ErrBusy) {
		t.Fatalf("want ErrBusy, got %v", err)
	}
	if _, err := src.Find(context.Background(), Request{N: 0}); !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("want ErrInvalidRequest, got %v", err)
	}

	// Close ends the searches in progress and refuses new ones.
	src.Close()
	collect(ch1)
	collect(ch2)
	if _, err := src.Find(context.Background(), req); !errors.Is(err, ErrClosed) {
		t.Fatalf("want ErrClosed, got %v", err)
	}
}

func TestUnionMergesAndDeduplicates(t *testing.T) {
	var cands []Candidate
	for i := range 4 {
		n, _ := record{cluster: 16, shards: []uint16{32}, caps: shardmesh.CapRelay, tcp: 60000 + i}.node(t)
		c, err := CandidateFromNode(n, OriginStatic)
		if err != nil {
			t.Fatal(err)
		}
		cands = append(cands, c)
	}
	a := NewStatic(cands[0], cands[1])
	b := NewStatic(cands[1], cands[2], cands[3])
	walk, _ := NewDiscv5(blockingWalker{})
	defer walk.Close()

	u, err := NewUnion([]Source{a, b, walk}, WithSearchTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	ch, err := u.Find(context.Background(), Request{Cluster: 16, N: 4})
	if err != nil {
		t.Fatal(err)
	}
	got := map[peer.ID]bool{}
	for c := range ch { // ends once N distinct peers arrived, despite the blocked walk
		got[c.AddrInfo.ID] = true
	}
	if len(got) != 4 {
		t.Fatalf("got %d distinct peers, want 4", len(got))
	}

	closed, _ := NewDiscv5(blockingWalker{})
	closed.Close()
	only, _ := NewUnion([]Source{closed})
	defer only.Close()
	if _, err := only.Find(context.Background(), Request{Cluster: 16, N: 1}); !errors.Is(err, ErrClosed) {
		t.Fatalf("a union whose members all fail must fail, got %v", err)
	}
}
