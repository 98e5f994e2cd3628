package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// progress prints where a run is: virtual time, wall time and the current
// healthy fraction. On a terminal it rewrites one line a few times a
// second; elsewhere (CI logs, pipes) it prints a line every tenth of the
// run.
type progress struct {
	w        io.Writer
	tty      bool
	label    string
	duration time.Duration
	wall0    time.Duration
	lastWall time.Duration
	lastStep int
	printed  bool
}

func newProgress(w io.Writer, label string, duration time.Duration) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
		tty = err == nil
	}
	now := monotonic()
	return &progress{w: w, tty: tty, label: label, duration: duration, wall0: now, lastWall: now, lastStep: -1}
}

func (p *progress) update(virtual time.Duration, healthy float64) {
	now := monotonic()
	step := int(10 * virtual / p.duration)
	switch {
	case p.tty && (now-p.lastWall >= 200*time.Millisecond || virtual >= p.duration):
		fmt.Fprintf(p.w, "\r%s", p.line(virtual, healthy, now))
	case !p.tty && step > p.lastStep:
		fmt.Fprintln(p.w, p.line(virtual, healthy, now))
		p.lastStep = step
	default:
		return
	}
	p.lastWall, p.printed = now, true
}

func (p *progress) line(virtual time.Duration, healthy float64, now time.Duration) string {
	return fmt.Sprintf("%s  virtual %4.0fs/%.0fs  wall %5.1fs  sufficiently healthy %5.1f%%",
		p.label, virtual.Seconds(), p.duration.Seconds(), (now - p.wall0).Seconds(), 100*healthy)
}

// done ends the terminal line.
func (p *progress) done() {
	if p.tty && p.printed {
		fmt.Fprintln(p.w)
	}
}
