package peerexchange

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/wakupm/wakupm/peermanager/internal/frame"
	"github.com/wakupm/wakupm/shardmesh"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newHost(t *testing.T) host.Host {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableRelay())
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

func newClient(t *testing.T, opts ...Option) (*Client, host.Host) {
	t.Helper()
	h := newHost(t)
	c, err := NewClient(h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, h
}

// rawResponder answers every query with the given RPC, whatever it asked.
func rawResponder(t *testing.T, answer []byte) host.Host {
	t.Helper()
	h := newHost(t)
	h.SetStreamHandler(ProtocolID, func(st network.Stream) {
		if _, err := frame.Read(st, maxQuerySize); err != nil {
			_ = st.Reset()
			return
		}
		_ = frame.Write(st, answer)
		_ = st.Close()
	})
	return h
}

func TestClientSurvivesBadENRsAndFilters(t *testing.T) {
	good1, _ := signedNode(t, 16, shardmesh.CapRelay, 32, 64)
	good2, _ := signedNode(t, 16, shardmesh.CapRelay|shardmesh.CapStore, 32)
	otherShard, _ := signedNode(t, 16, shardmesh.CapRelay, 5)
	otherCluster, _ := signedNode(t, 1, shardmesh.CapRelay, 32)
	forged, _ := signedNode(t, 16, shardmesh.CapRelay, 32)

	resp := RPC{Response: &Response{ENRs: [][]byte{
		[]byte("not rlp at all"),
		rawENR(t, good1),
		badSignature(t, forged),
		rawENR(t, otherShard),
		rawENR(t, good1), // duplicate
		{},               // empty enr field
		rawENR(t, otherCluster),
		rawENR(t, good2),
	}}} // no status: a go-waku responder
	server := rawResponder(t, resp.Marshal())
	client, h := newClient(t)
	connect(t, h, server)

	res, err := client.Request(context.Background(), server.ID(), 10, onShard(16, 32))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Nodes) != 2 || res.Nodes[0].ID() != good1.ID() || res.Nodes[1].ID() != good2.ID() {
		t.Fatalf("kept %v", res.Nodes)
	}
	want := Result{Nodes: res.Nodes, Received: 8, Invalid: 3, Duplicates: 1, Rejected: 2}
	if res.Received != want.Received || res.Invalid != want.Invalid || res.Duplicates != want.Duplicates || res.Rejected != want.Rejected {
		t.Fatalf("counts %+v, want %+v", res, want)
	}
}

func TestClientStatusError(t *testing.T) {
	resp := RPC{Query: &Query{}, Response: &Response{HasStatus: true, Status: StatusTooManyRequests, StatusDesc: "rate limited"}}
	server := rawResponder(t, resp.Marshal())
	client, h := newClient(t)
	connect(t, h, server)

	_, err := client.Request(context.Background(), server.ID(), 5, nil)
	var se *StatusError
	var re *RequestError
	if !errors.As(err, &se) || se.Code != StatusTooManyRequests || !errors.As(err, &re) || re.Stage != StageStatus {
		t.Fatalf("want a 429 status error, got %v", err)
	}
}

func TestClientBoundsResponseSize(t *testing.T) {
	// 3 records were asked for; 20 maximal ones do not fit the bound.
	big := make([][]byte, 20)
	for i := range big {
		big[i] = make([]byte, 300)
	}
	server := rawResponder(t, RPC{Response: &Response{ENRs: big}}.Marshal())
	client, h := newClient(t)
	connect(t, h, server)

	_, err := client.Request(context.Background(), server.ID(), 3, nil)
	var fe *frame.SizeError
	if !errors.As(err, &fe) || fe.Limit != responseLimit(3) {
		t.Fatalf("want a size error, got %v", err)
	}
}

func TestClientRejectsBadArguments(t *testing.T) {
	client, h := newClient(t)
	for _, n := range []int{0, -1, MaxQueryPeers + 1} {
		var oe *OptionError
		if _, err := client.Request(context.Background(), h.ID(), n, nil); !errors.As(err, &oe) {
			t.Errorf("n=%d: want *OptionError, got %v", n, err)
		}
	}
}

func TestClientTimeout(t *testing.T) {
	server := newHost(t)
	server.SetStreamHandler(ProtocolID, func(st network.Stream) {
		_, _ = frame.Read(st, maxQuerySize)
		var b [1]byte
		_, _ = st.Read(b[:]) // wait for the client to give up
		_ = st.Reset()
	})
	client, h := newClient(t, WithTimeout(300*time.Millisecond))
	connect(t, h, server)

	_, err := client.Request(context.Background(), server.ID(), 5, nil)
	var re *RequestError
	if !errors.As(err, &re) || re.Stage != StageRead || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a read timeout, got %v", err)
	}
}

func TestServerServesProviderRecords(t *testing.T) {
	var records []*enode.Node
	for i := range 5 {
		n, _ := signedNode(t, 16, shardmesh.CapRelay, uint16(i))
		records = append(records, n)
	}
	var asked atomic.Int64
	serverHost := newHost(t)
	server, err := NewServer(serverHost, func(max int) []*enode.Node {
		asked.Store(int64(max))
		return records // more than asked: the server must cap
	}, WithServePeers(4))
	if err != nil {
		t.Fatal(err)
	}
	server.Start()
	defer server.Close()
	client, h := newClient(t)
	connect(t, h, serverHost)

	res, err := client.Request(context.Background(), serverHost.ID(), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Nodes) != 2 || asked.Load() != 2 || res.Nodes[0].ID() != records[0].ID() {
		t.Fatalf("asked for 2: provider asked for %d, got %d nodes", asked.Load(), len(res.Nodes))
	}
	res, err = client.Request(context.Background(), serverHost.ID(), 50, onShard(16, 3))
	if err != nil {
		t.Fatal(err)
	}
	if asked.Load() != 4 || res.Received != 4 || len(res.Nodes) != 1 || res.Nodes[0].ID() != records[3].ID() {
		t.Fatalf("capped at 4: provider asked for %d, received %d, kept %v", asked.Load(), res.Received, res.Nodes)
	}
}

func TestServerAnswersRawQueries(t *testing.T) {
	n, _ := signedNode(t, 16, shardmesh.CapRelay, 1)
	serverHost := newHost(t)
	server, err := NewServer(serverHost, func(int) []*enode.Node { return []*enode.Node{n} })
	if err != nil {
		t.Fatal(err)
	}
	server.Start()
	defer server.Close()
	_, h := newClient(t)
	connect(t, h, serverHost)

	exchange := func(query []byte) RPC {
		t.Helper()
		st, err := h.NewStream(context.Background(), serverHost.ID(), ProtocolID)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := frame.Write(st, query); err != nil {
			t.Fatal(err)
		}
		msg, err := frame.Read(st, 4096)
		if err != nil {
			t.Fatal(err)
		}
		rpc, err := UnmarshalRPC(msg)
		if err != nil || rpc.Response == nil {
			t.Fatalf("%v %+v", err, rpc)
		}
		if rpc.Query == nil {
			t.Fatal("response without the query echo nwaku's decoder requires")
		}
		return rpc
	}
	tests := []struct {
		name   string
		query  []byte
		status StatusCode
		enrs   int
	}{
		{"huge num_peers does not overflow", RPC{Query: &Query{NumPeers: 1 << 63}}.Marshal(), StatusSuccess, 1},
		{"zero peers", RPC{Query: &Query{}}.Marshal(), StatusSuccess, 0},
		{"no query", RPC{Response: &Response{}}.Marshal(), StatusBadRequest, 0},
		{"malformed", []byte{0x0a, 0x05}, StatusBadRequest, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exchange(tt.query).Response
			if !r.HasStatus || r.Status != tt.status || len(r.ENRs) != tt.enrs {
				t.Fatalf("got status %v with %d ENRs", r.Status, len(r.ENRs))
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	h := newHost(t)
	for _, o := range []Option{WithTimeout(-1), WithServePeers(0), WithServePeers(MaxQueryPeers + 1), WithLogger(nil)} {
		var oe *OptionError
		if _, err := NewClient(h, o); !errors.As(err, &oe) {
			t.Errorf("want *OptionError, got %v", err)
		}
	}
	if _, err := NewServer(h, nil); err == nil {
		t.Error("nil provider accepted")
	}
	if _, err := NewClient(nil); err == nil {
		t.Error("nil host accepted")
	}
}

// A responder may pack more small records than asked for into the byte
// limit of a response (135 for 60 in the hardening issue): the client keeps
// at most what it asked for and counts the rest.
func TestClientKeepsNoMoreThanAsked(t *testing.T) {
	const asked, sent = 5, 12
	var enrs [][]byte
	for i := range sent {
		n, _ := signedNode(t, 16, shardmesh.CapRelay, uint16(i))
		enrs = append(enrs, rawENR(t, n))
	}
	resp := RPC{Response: &Response{ENRs: enrs}}
	server := rawResponder(t, resp.Marshal())
	client, h := newClient(t)
	connect(t, h, server)

	res, err := client.Request(context.Background(), server.ID(), asked, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Nodes) != asked || res.Excess != sent-asked || res.Received != sent {
		t.Fatalf("asked for %d of %d sent: kept %d, excess %d, received %d", asked, sent, len(res.Nodes), res.Excess, res.Received)
	}
}
