package discovery

import (
	"time"

	"github.com/ethereum/go-ethereum/common/mclock"
)

// TimeClock is go-ethereum's mclock.Clock read from package time.
//
// go-ethereum's default, mclock.System, reads the runtime's monotonic clock
// directly (mclock.Now links to runtime.nanotime), which a testing/synctest
// bubble does not fake, while its timers come from package time, which the
// bubble does fake. Inside a bubble discv5 would then measure elapsed time in
// wall time and wait in virtual time: its table loop re-arms its revalidation
// timer for the wall-clock time still to go at every firing, and handshake
// and session ages barely move. TimeClock reads time.Now, which is monotonic
// outside a bubble and virtual inside one, so both agree. ListenV5 uses it
// unless the Config names a clock.
type TimeClock struct {
	origin time.Time
}

var _ mclock.Clock = (*TimeClock)(nil)

// NewTimeClock returns a clock whose zero is now.
func NewTimeClock() *TimeClock { return &TimeClock{origin: time.Now()} }

// Now returns the time elapsed since the clock was made.
func (c *TimeClock) Now() mclock.AbsTime { return mclock.AbsTime(time.Since(c.origin)) }

// Sleep blocks for d.
func (c *TimeClock) Sleep(d time.Duration) { time.Sleep(d) }

// NewTimer returns a timer that sends Now on its channel after d.
func (c *TimeClock) NewTimer(d time.Duration) mclock.ChanTimer {
	ch := make(chan mclock.AbsTime, 1)
	t := time.AfterFunc(d, func() {
		// Dropped when the last value was not read, as time.Timer does.
		select {
		case ch <- c.Now():
		default:
		}
	})
	return &timeTimer{Timer: t, ch: ch}
}

// After returns a channel that receives Now after d.
func (c *TimeClock) After(d time.Duration) <-chan mclock.AbsTime {
	ch := make(chan mclock.AbsTime, 1)
	time.AfterFunc(d, func() { ch <- c.Now() })
	return ch
}

// AfterFunc runs f on its own goroutine after d.
func (c *TimeClock) AfterFunc(d time.Duration, f func()) mclock.Timer { return time.AfterFunc(d, f) }

type timeTimer struct {
	*time.Timer
	ch chan mclock.AbsTime
}

var _ mclock.ChanTimer = (*timeTimer)(nil)

func (t *timeTimer) C() <-chan mclock.AbsTime { return t.ch }

func (t *timeTimer) Reset(d time.Duration) { t.Timer.Reset(d) }
