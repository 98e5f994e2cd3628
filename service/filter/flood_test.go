package filter_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/marcopolo/simnet"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/service/internal/servicetest"
	"github.com/wakupm/wakupm/service/wire"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// The shape of slots/gater's TestFloodRealHosts: 10 legitimate clients in
// their own /24s and 200 flooders on two addresses.
const (
	legit     = 10
	flooders  = 200
	floodWait = 10 * time.Second // the gater's grace
)

func floodAddr(i int) *net.UDPAddr {
	k := i - servicetest.First - legit
	if k < 0 {
		return &net.UDPAddr{IP: simnet.IntToPublicIPv4(i << 8), Port: simhost.DefaultPort}
	}
	return &net.UDPAddr{IP: simnet.IntToPublicIPv4((1000 + k%2) << 8), Port: simhost.DefaultPort + k/2}
}

type floodResult struct {
	filter, push uint32
	err          error
}

// TestFloodThroughServices: 210 clients at once subscribe to filter and
// light-push a message through the real handlers. Every legitimate client
// is served by both; the flooders get at most the per-prefix share of each
// pool and otherwise 429 or a refused connection; the relay node keeps its
// connection; flooders without a slot are gone after the grace period.
func TestFloodThroughServices(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 212 hosts")
	}
	synctest.Test(t, func(t *testing.T) {
		r := servicetest.New(t, servicetest.Config{Clients: legit + flooders, Addr: floodAddr,
			Budget:       budget(t, slots.Reserved{Filter: 16, LightPush: 16}),
			GaterOptions: []gater.Option{gater.WithGrace(floodWait)}})
		server := r.Net.Node(servicetest.Server)
		results := make([]floodResult, legit+flooders)
		var wg sync.WaitGroup
		for k := range legit + flooders {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
				defer cancel()
				results[k] = floodOne(ctx, r, k)
			})
		}
		wg.Wait()

		for k := range legit {
			if res := results[k]; res.err != nil || res.filter != 200 || res.push != 200 {
				t.Errorf("legitimate client %d: filter %d, push %d, err %v", k, res.filter, res.push, res.err)
			}
		}
		var ok [2]int
		var tooMany [2]int
		gated := 0
		for k := legit; k < legit+flooders; k++ {
			res := results[k]
			if res.err != nil && res.filter == 0 {
				gated++
				continue
			}
			for i, code := range []uint32{res.filter, res.push} {
				switch code {
				case 200:
					ok[i]++
				case wire.StatusTooManyRequests:
					tooMany[i]++
				default:
					t.Errorf("flooder %d: unexpected status %d (filter %d push %d, err %v)", k, code, res.filter, res.push, res.err)
				}
			}
		}
		st := r.Gater.Stats(time.Now())
		for i, svc := range []slots.Service{slots.Filter, slots.LightPush} {
			if max := 2 * r.Gater.Pool(svc).MaxPerPrefix(); ok[i] > max {
				t.Errorf("%s: flooders took %d slots, at most %d", svc, ok[i], max)
			}
			if got := st.Pools[svc].Rejected[slots.ReasonPrefixLimit]; got != uint64(tooMany[i]) {
				t.Errorf("%s: pool counted %d prefix rejections, flooders saw %d", svc, got, tooMany[i])
			}
		}
		t.Logf("flooders: filter %d ok / %d x 429, light push %d ok / %d x 429, %d refused at connection level; ledger refusals %v",
			ok[0], tooMany[0], ok[1], tooMany[1], gated, st.Ledger.Refused)

		time.Sleep(floodWait + 2*time.Second)
		nw := server.Host.Network()
		if nw.Connectedness(r.Net.Node(servicetest.Relayer).ID()) != network.Connected {
			t.Error("the relay node lost its connection")
		}
		for k := range legit {
			if nw.Connectedness(r.Client(k).ID()) != network.Connected {
				t.Errorf("legitimate client %d lost its connection", k)
			}
		}
		for k := legit; k < legit+flooders; k++ {
			id := r.Client(k).ID()
			if nw.Connectedness(id) == network.Connected && r.Gater.Class(id) != slots.ClassService {
				t.Errorf("flooder %d still connected without a slot (class %s)", k, r.Gater.Class(id))
			}
		}
		if fs := r.Filter.Stats(); fs.Subscribers != legit+ok[0] {
			t.Errorf("%d filter subscribers, want %d", fs.Subscribers, legit+ok[0])
		}
		t.Logf("after grace: filter %+v, light push %+v, ledger peers %v", r.Filter.Stats().Answers, r.Push.Stats().Answers, r.Gater.Stats(time.Now()).Ledger.Peers)
	})
}

func floodOne(ctx context.Context, r *servicetest.Rig, k int) floodResult {
	if err := r.Connect(ctx, k); err != nil {
		return floodResult{err: err}
	}
	server := r.Net.Node(servicetest.Server).ID()
	h := r.Client(k).Host
	fr, err := servicetest.Filter(ctx, h, server, sub("f", ct))
	if err != nil {
		return floodResult{err: err}
	}
	pr, err := servicetest.LightPush(ctx, h, server, wire.PushRequest{PubsubTopic: servicetest.Topic, HasPubsub: true, Message: msg("flood"), HasMessage: true})
	return floodResult{filter: fr.StatusCode, push: pr.StatusCode, err: err}
}
