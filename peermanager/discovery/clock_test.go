package discovery

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/ethereum/go-ethereum/common/mclock"
)

// TestTimeClockFollowsVirtualTime checks every method of TimeClock inside a
// synctest bubble, where time.Now is virtual: Now moves with the bubble's
// clock and the timers fire at the virtual instants they were set for.
// (mclock.System.Now would not move: it reads runtime.nanotime.)
func TestTimeClockFollowsVirtualTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewTimeClock()
		if now := c.Now(); now != 0 {
			t.Fatalf("a new clock reads %v, want 0", now)
		}
		c.Sleep(3 * time.Second)
		if now := c.Now(); now != mclock.AbsTime(3*time.Second) {
			t.Fatalf("after a 3 s sleep the clock reads %v", time.Duration(now))
		}

		timer := c.NewTimer(2 * time.Second)
		if at := <-timer.C(); at != mclock.AbsTime(5*time.Second) {
			t.Fatalf("timer fired at %v, want 5 s", time.Duration(at))
		}
		timer.Reset(time.Second)
		if at := <-timer.C(); at != mclock.AbsTime(6*time.Second) {
			t.Fatalf("reset timer fired at %v, want 6 s", time.Duration(at))
		}
		timer.Reset(time.Second)
		if !timer.Stop() {
			t.Fatal("Stop of a pending timer returned false")
		}
		if at := <-c.After(500 * time.Millisecond); at != mclock.AbsTime(6500*time.Millisecond) {
			t.Fatalf("After fired at %v, want 6.5 s", time.Duration(at))
		}
		select {
		case <-timer.C():
			t.Fatal("a stopped timer fired")
		default:
		}

		fired := make(chan mclock.AbsTime, 1)
		c.AfterFunc(time.Second, func() { fired <- c.Now() })
		stopped := c.AfterFunc(time.Second, func() { t.Error("a stopped AfterFunc ran") })
		stopped.Stop()
		if at := <-fired; at != mclock.AbsTime(7500*time.Millisecond) {
			t.Fatalf("AfterFunc ran at %v, want 7.5 s", time.Duration(at))
		}
	})
}
