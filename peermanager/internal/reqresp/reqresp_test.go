package reqresp

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/wakupm/wakupm/internal/simhost"
	"github.com/wakupm/wakupm/peermanager/internal/frame"
)

func TestRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 2, simhost.WithoutPubsub())
		client, server := nw.Node(0).Host, nw.Node(1).Host
		var mount Mount
		echo := func(s network.Stream) {
			_ = Serve(s, time.Second, 64, func(req []byte) ([]byte, error) { return append(req, req...), nil })
		}
		mount.Start(server, "/echo", echo)
		mount.Start(server, "/echo", echo) // harmless
		hold := make(chan struct{})
		server.SetStreamHandler("/silent", func(s network.Stream) {
			<-hold
			_ = s.Reset()
		})
		defer close(hold)
		ctx := t.Context()
		id := server.ID()
		client.Peerstore().AddAddrs(id, server.Addrs(), time.Hour)

		msg, step, err := Request(ctx, client, id, "/echo", []byte("ab"), 64)
		if err != nil || step != 0 || string(msg) != "abab" {
			t.Fatalf("echo: %q step %d err %v", msg, step, err)
		}
		if _, step, err := Request(ctx, client, id, "/echo", make([]byte, 40), 64); step != StepRead {
			t.Fatalf("answer over the read limit: step %d err %v", step, err)
		} else if se := new(frame.SizeError); !errors.As(err, &se) {
			t.Fatalf("answer over the read limit: %v, want a *frame.SizeError", err)
		}
		if _, step, err := Request(ctx, client, id, "/nobody", nil, 64); step != StepOpen || err == nil {
			t.Fatalf("unsupported protocol: step %d err %v", step, err)
		}
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		start := time.Now()
		_, step, err = Request(tctx, client, id, "/silent", []byte("x"), 64)
		if step != StepRead || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("silent peer: step %d err %v, want a read timeout", step, err)
		}
		if d := time.Since(start); d > time.Second+100*time.Millisecond {
			t.Fatalf("silent peer held the request %v", d)
		}
		mount.Stop(server, "/echo")
		mount.Stop(server, "/echo")
		// The client remembers that the server spoke /echo and negotiates
		// lazily, so the refusal may surface at any step.
		if _, _, err := Request(ctx, client, id, "/echo", []byte("ab"), 64); err == nil {
			t.Fatal("after Stop: the server still answers /echo")
		}
	})
}

// TestServeIdleStream: a stream the peer opens and never writes to (js-waku
// opens one per protocol on identify) ends with ErrIdle, which callers do
// not log; a stream with a partial request is a real error.
func TestServeIdleStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simhost.NewT(t, 2, simhost.WithoutPubsub())
		client, server := nw.Node(0).Host, nw.Node(1).Host
		errs := make(chan error, 2)
		server.SetStreamHandler("/idle", func(s network.Stream) {
			errs <- Serve(s, time.Second, 64, func(req []byte) ([]byte, error) { return req, nil })
		})
		client.Peerstore().AddAddrs(server.ID(), server.Addrs(), time.Hour)
		for _, write := range [][]byte{nil, {0x05, 'a'}} {
			s, err := client.NewStream(t.Context(), server.ID(), "/idle")
			if err != nil {
				t.Fatal(err)
			}
			if write != nil {
				_, _ = s.Write(write)
			} else {
				_, _ = s.Write(nil) // negotiate the protocol without a byte of request
			}
			err = <-errs
			if idle := errors.Is(err, ErrIdle); idle != (write == nil) {
				t.Errorf("wrote %q: err %v", write, err)
			}
			_ = s.Reset()
		}
	})
}
