package telemetry

import (
	"bytes"
	"context"
	"encoding/json"

	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Reporter sends the node's report to a telemetry service every interval.
// Nothing is sent unless a Reporter is made: that is the opt-in. It owns one
// goroutine, stopped by Close. Building a report reads the Sources'
// snapshots; sending never holds anything of the node's, and a service that
// is slow, down or refusing only fills the reporter's bounded queue: the
// oldest unsent report is dropped (and counted) when a new one does not
// fit.
type Reporter struct {
	cfg     config
	builder *Builder
	cancel  context.CancelFunc
	done    chan struct{}

	mu    sync.Mutex
	stats Stats
}

// Stats are the reporter's counters.
type Stats struct {
	// Built counts reports built; BuildErrors those that failed to encode.
	Built, BuildErrors uint64
	// Sent counts reports the service accepted (2xx).
	Sent uint64
	// Attempts counts POSTs; Failures those that failed (network error or
	// a status other than 2xx), RateLimited the 429s among them.
	Attempts, Failures, RateLimited uint64
	// Rejected counts reports the service refused as malformed (400, not
	// retried); RejectedItems counts items a 2xx answer listed as errors.
	Rejected, RejectedItems uint64
	// Dropped counts reports dropped unsent because the queue was full.
	Dropped uint64
	// Queued is the number of reports waiting to be sent.
	Queued int
	// LastError is the last failure, empty when the last POST succeeded.
	LastError string
}

// New starts a reporter sending to the telemetry service at service (its
// base URL: reports go to service + RecordMetricsPath). The first report is
// built one interval after New.
func New(service string, src Sources, opts ...Option) (*Reporter, error) {
	cfg := defaultConfig()
	endpoint, err := serviceEndpoint(service)
	if err != nil {
		return nil, err
	}
	cfg.endpoint = endpoint
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Reporter{cfg: cfg, cancel: cancel, done: make(chan struct{}),
		builder: NewBuilder(cfg.record, src, cfg.now())}
	go r.run(ctx)
	return r, nil
}

// Close stops the reporter and waits for its goroutine; a POST in flight is
// cancelled and unsent reports are discarded. It always returns nil.
func (r *Reporter) Close() error {
	r.cancel()
	<-r.done
	return nil
}

// Stats returns the counters.
func (r *Reporter) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

func (r *Reporter) update(f func(*Stats)) {
	r.mu.Lock()
	f(&r.stats)
	r.mu.Unlock()
}

// run is the reporter's loop: build at each interval, send the oldest
// queued report whenever no backoff is pending.
func (r *Reporter) run(ctx context.Context) {
	defer close(r.done)
	var queue [][]byte
	nextReport := r.cfg.now().Add(r.cfg.interval)
	var retryAt time.Time
	failures := 0
	timer := time.NewTimer(r.cfg.interval)
	defer timer.Stop()
	for {
		now := r.cfg.now()
		if !now.Before(nextReport) {
			queue = r.enqueue(queue, now)
			nextReport = nextReport.Add(r.cfg.interval)
			if !nextReport.After(now) {
				nextReport = now.Add(r.cfg.interval)
			}
			continue
		}
		if len(queue) > 0 && !now.Before(retryAt) {
			wait, sent := r.send(ctx, queue[0], failures)
			if ctx.Err() != nil {
				return
			}
			if sent {
				queue[0] = nil
				queue = queue[1:]
				failures, retryAt = 0, time.Time{}
			} else {
				failures++
				retryAt = r.cfg.now().Add(wait)
			}
			r.update(func(s *Stats) { s.Queued = len(queue) })
			continue
		}
		wake := nextReport
		if len(queue) > 0 && retryAt.Before(wake) {
			wake = retryAt
		}
		timer.Reset(wake.Sub(now))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
	}
}

// enqueue builds a report and queues it, dropping the oldest when full.
func (r *Reporter) enqueue(queue [][]byte, now time.Time) [][]byte {
	items, err := r.builder.Build(now)
	var body []byte
	if err == nil {
		body, err = json.Marshal(items)
	}
	if err != nil {
		r.cfg.log.Warn("telemetry: building a report", "err", err)
		r.update(func(s *Stats) { s.BuildErrors++ })
		return queue
	}
	dropped := 0
	for len(queue) >= r.cfg.queue {
		queue[0] = nil
		queue = queue[1:]
		dropped++
	}
	queue = append(queue, body)
	r.update(func(s *Stats) {
		s.Built++
		s.Dropped += uint64(dropped)
		s.Queued = len(queue)
	})
	return queue
}

// send POSTs one report. It reports whether the report is done with (sent,
// or refused as malformed) and otherwise how long to wait before retrying.
func (r *Reporter) send(ctx context.Context, body []byte, failures int) (time.Duration, bool) {
	r.update(func(s *Stats) { s.Attempts++ })
	status, retryAfter, rejected, reason, err := r.post(ctx, body)
	switch {
	case err == nil && status/100 == 2:
		r.update(func(s *Stats) { s.Sent++; s.RejectedItems += uint64(rejected); s.LastError = "" })
		return 0, true
	case err == nil && status == http.StatusBadRequest:
		r.cfg.log.Warn("telemetry: the service rejected a report", "status", status, "reason", reason)
		r.update(func(s *Stats) { s.Rejected++; s.LastError = "400 Bad Request: " + reason })
		return 0, true
	}
	wait := r.backoff(failures)
	if err == nil {
		err = fmt.Errorf("telemetry: service answered %d", status)
	}
	r.update(func(s *Stats) {
		s.Failures++
		if status == http.StatusTooManyRequests {
			s.RateLimited++
		}
		s.LastError = err.Error()
	})
	if status == http.StatusTooManyRequests && retryAfter > wait {
		wait = min(retryAfter, maxRetryAfter)
	}
	r.cfg.log.Debug("telemetry: report not sent", "err", err, "retry in", wait)
	return wait, false
}

// maxRetryAfter bounds how long a 429's Retry-After can silence the
// reporter (a wrong header must not stop reports for days).
const maxRetryAfter = time.Hour

// backoff is min * 2^failures capped at max, with jitter in [d/2, d].
func (r *Reporter) backoff(failures int) time.Duration {
	d := r.cfg.minBackoff
	for range failures {
		if d >= r.cfg.maxBackoff/2 {
			d = r.cfg.maxBackoff
			break
		}
		d *= 2
	}
	d = min(d, r.cfg.maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// post returns the HTTP status, a 429's Retry-After, the number of
// per-item errors the answer listed (Status's [{"id", "error"}]) and the
// first of them.
func (r *Reporter) post(ctx context.Context, body []byte) (int, time.Duration, int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.cfg.endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, 0, 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.cfg.client.Do(req)
	if err != nil {
		return 0, 0, 0, "", err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var itemErrors []struct {
		ID    int    `json:"id"`
		Error string `json:"error"`
	}
	if json.Unmarshal(answer, &itemErrors) != nil {
		itemErrors = nil
	}
	reason := ""
	if len(itemErrors) > 0 {
		reason = fmt.Sprintf("item %d: %s", itemErrors[0].ID, itemErrors[0].Error)
	}
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), r.cfg.now()), len(itemErrors), reason, nil
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
