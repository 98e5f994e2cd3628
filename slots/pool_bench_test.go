package slots

import (
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAdmitRelease measures one Admit and one Release on a pool that is
// half full (so the peer and prefix indexes are populated), without
// contention.
func BenchmarkAdmitRelease(b *testing.B) {
	p := mustPool(b, Filter, 1000)
	for i := range 500 {
		if _, err := p.Admit(client(i), t0); err != nil {
			b.Fatal(err)
		}
	}
	c := client(999)
	now := t0
	b.ReportAllocs()
	reportThreadCPU(b)
	for b.Loop() {
		l, err := p.Admit(c, now)
		if err != nil {
			b.Fatal(err)
		}
		p.Release(l)
	}
}

// BenchmarkRenew measures the per-request call of a server for a client that
// already holds a lease.
func BenchmarkRenew(b *testing.B) {
	p := mustPool(b, Filter, 1000)
	c := client(1)
	if _, err := p.Admit(c, t0); err != nil {
		b.Fatal(err)
	}
	now := t0
	b.ReportAllocs()
	reportThreadCPU(b)
	for b.Loop() {
		now = now.Add(time.Millisecond)
		if _, err := p.Renew(c, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdmitReleaseParallel measures Admit and Release from every
// GOMAXPROCS goroutine on one pool.
func BenchmarkAdmitReleaseParallel(b *testing.B) {
	p := mustPool(b, Filter, 1000, WithMaxPerPrefix(0))
	b.ReportAllocs()
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		c := client(int(next.Add(1)))
		for pb.Next() {
			l, err := p.Admit(c, t0)
			if err != nil {
				b.Error(err)
				return
			}
			p.Release(l)
		}
	})
}
