package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// progress prints where the runs are: wall time, and for each policy its
// run, virtual time and current SufficientlyHealthy fraction. On a terminal
// it rewrites one line a few times a second; elsewhere (CI logs, pipes) it
// prints a line each time a run passes another tenth of its virtual
// duration. It is safe for concurrent use by the runs of several policies.
type progress struct {
	w        io.Writer
	tty      bool
	duration time.Duration
	repeat   int
	wall0    time.Duration

	mu       sync.Mutex
	names    []string
	healthy  []float64
	virtual  []time.Duration
	run      []int
	lastWall time.Duration
	lastStep int
	printed  bool
}

func newProgress(w io.Writer, policies []string, duration time.Duration, repeat int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
		tty = err == nil
	}
	now := monotonic()
	p := &progress{w: w, tty: tty, duration: duration, repeat: repeat, wall0: now, lastWall: now, lastStep: -1,
		names: policies, healthy: make([]float64, len(policies)), virtual: make([]time.Duration, len(policies)),
		run: make([]int, len(policies))}
	for i := range p.healthy {
		p.healthy[i] = -1
	}
	return p
}

// update records that run r of policy i reached virtual time v with the
// given healthy fraction, and prints if it is time to.
func (p *progress) update(i, r int, v time.Duration, healthy float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i < 0 || i >= len(p.names) {
		return
	}
	p.healthy[i], p.run[i], p.virtual[i] = healthy, r, v
	now := monotonic()
	// Steps count tenths of virtual time over every run of every policy.
	step := 0
	for j := range p.names {
		if p.healthy[j] >= 0 {
			step += p.run[j]*11 + int(10*p.virtual[j]/p.duration)
		}
	}
	switch {
	case p.tty && (now-p.lastWall >= 200*time.Millisecond || v >= p.duration):
		fmt.Fprintf(p.w, "\r%s", p.line(now))
	case !p.tty && step > p.lastStep:
		fmt.Fprintln(p.w, p.line(now))
		p.lastStep = step
	default:
		return
	}
	p.lastWall, p.printed = now, true
}

func (p *progress) line(now time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wall %5.1fs", (now - p.wall0).Seconds())
	for i, name := range p.names {
		if p.healthy[i] < 0 {
			continue
		}
		fmt.Fprintf(&b, " | %s", name)
		if p.repeat > 1 {
			fmt.Fprintf(&b, " run %d/%d", p.run[i]+1, p.repeat)
		}
		fmt.Fprintf(&b, " virtual %3.0fs/%.0fs %5.1f%%", p.virtual[i].Seconds(), p.duration.Seconds(), 100*p.healthy[i])
	}
	b.WriteString(" sufficiently healthy")
	return b.String()
}

// done ends the terminal line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.printed {
		fmt.Fprintln(p.w)
		p.printed = false
	}
}
