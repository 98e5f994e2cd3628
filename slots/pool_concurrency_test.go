package slots

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAdmitConcurrentNeverOverAdmits hammers one pool from many goroutines
// (run it with -race): the number of leases held at once never exceeds the
// capacity, and every refusal of a full pool is ReasonNoSlot.
func TestAdmitConcurrentNeverOverAdmits(t *testing.T) {
	const (
		capacity   = 16
		goroutines = 32
		rounds     = 400
	)
	p := mustPool(t, Filter, capacity, WithMaxPerPrefix(0))
	var (
		held, peak, admitted atomic.Int64
		wg                   sync.WaitGroup
		start                = make(chan struct{})
	)
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			<-start
			c := client(g)
			for r := range rounds {
				now := t0.Add(time.Duration(r) * time.Millisecond)
				l, err := p.Admit(c, now)
				if err != nil {
					var rej *Rejection
					if !errors.As(err, &rej) || rej.Reason != ReasonNoSlot {
						errs <- err
						return
					}
					continue
				}
				admitted.Add(1)
				n := held.Add(1)
				for {
					old := peak.Load()
					if n <= old || peak.CompareAndSwap(old, n) {
						break
					}
				}
				if n > capacity {
					errs <- errors.New("more leases held than capacity")
					return
				}
				// Hold the slot across a refresh, then give it back.
				if err := p.Refresh(l, now); err != nil {
					errs <- err
					return
				}
				held.Add(-1)
				if !p.Release(l) {
					errs <- errors.New("release of a held lease failed")
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st := p.Stats(t0)
	if st.InUse != 0 || st.Admitted != uint64(admitted.Load()) || st.Released != st.Admitted {
		t.Fatalf("stats %+v, admitted %d", st, admitted.Load())
	}
	t.Logf("admitted %d, peak held %d of %d, refused %d", admitted.Load(), peak.Load(), capacity, st.Rejected[ReasonNoSlot])
}

// TestAdmitConcurrentFillsExactly starts many more claimants than slots at
// once, never releasing: exactly capacity of them win.
func TestAdmitConcurrentFillsExactly(t *testing.T) {
	const capacity, claimants = 50, 500
	p := mustPool(t, LightPush, capacity, WithMaxPerPrefix(0))
	var won atomic.Int64
	var wg sync.WaitGroup
	for i := range claimants {
		wg.Go(func() {
			if _, err := p.Admit(client(i), t0); err == nil {
				won.Add(1)
			}
		})
	}
	wg.Wait()
	if won.Load() != capacity || p.Stats(t0).InUse != capacity {
		t.Fatalf("%d admitted, %d in use; capacity %d", won.Load(), p.Stats(t0).InUse, capacity)
	}
}
