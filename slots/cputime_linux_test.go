//go:build linux

package slots

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// reportThreadCPU pins the benchmark goroutine to its thread and, when the
// benchmark ends, reports the thread's CPU time per op as "cpu-ns/op". On a
// shared machine the wall-clock ns/op counts time spent descheduled; the CPU
// time does not.
func reportThreadCPU(b *testing.B) {
	runtime.LockOSThread()
	start := threadCPU()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64((threadCPU()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
		runtime.UnlockOSThread()
	})
}

func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
