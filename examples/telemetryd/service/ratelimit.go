package service

import (
	"math"
	"sync"
	"time"
)

// limiter is a token bucket per client. The client key (the remote IP) is
// held in memory only, to rate-limit; it is never stored or logged.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	max     int // clients remembered; beyond, idle ones are forgotten
	clients map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(perSecond float64, burst, maxClients int) *limiter {
	return &limiter{rate: perSecond, burst: float64(burst), max: maxClients, clients: map[string]*bucket{}}
}

// allow takes a token of client's bucket; when there is none it returns
// false and how long until one is back.
func (l *limiter) allow(client string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[client]
	if b == nil {
		if len(l.clients) >= l.max {
			l.forgetFull(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.clients[client] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// forgetFull drops clients whose bucket has refilled (they lose nothing);
// if none has, it drops them all rather than grow.
func (l *limiter) forgetFull(now time.Time) {
	for k, b := range l.clients {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.clients, k)
		}
	}
	if len(l.clients) >= l.max {
		clear(l.clients)
	}
}
