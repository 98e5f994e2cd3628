package telemetry

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Defaults of a Reporter.
const (
	DefaultInterval   = time.Minute
	DefaultQueue      = 32
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = 5 * time.Minute
	DefaultTimeout    = 10 * time.Second
)

// MaxLabel is the longest node name, version, device type, message type,
// protocol or application name a report may carry (a service rejects
// longer ones).
const MaxLabel = 128

// RecordMetricsPath is the path reports are POSTed to, under the service
// URL (Status's telemetry server route, telemetry/server.go).
const RecordMetricsPath = "/record-metrics"

// OptionError reports an invalid Reporter option.
type OptionError struct {
	Option, Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("telemetry: invalid option %s: %s", e.Option, e.Reason)
}

// Option configures a Reporter.
type Option func(*config) error

type config struct {
	endpoint               string
	interval               time.Duration
	queue                  int
	minBackoff, maxBackoff time.Duration
	client                 *http.Client
	now                    func() time.Time
	log                    *slog.Logger
	record                 Record
}

func defaultConfig() config {
	return config{
		interval: DefaultInterval, queue: DefaultQueue,
		minBackoff: DefaultMinBackoff, maxBackoff: DefaultMaxBackoff,
		client: &http.Client{Timeout: DefaultTimeout}, now: time.Now,
		log: slog.New(slog.DiscardHandler),
	}
}

func optionError(opt, reason string) error { return &OptionError{Option: opt, Reason: reason} }

// serviceEndpoint checks a service URL and returns where reports go.
func serviceEndpoint(service string) (string, error) {
	u, err := url.Parse(service)
	if err != nil {
		return "", optionError("service URL", err.Error())
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", optionError("service URL", fmt.Sprintf("%q is not an http(s) URL with a host", service))
	}
	return u.JoinPath(RecordMetricsPath).String(), nil
}

// WithInterval sets how often a report is built (default DefaultInterval).
func WithInterval(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return optionError("WithInterval", "not positive")
		}
		c.interval = d
		return nil
	}
}

// WithQueue sets how many unsent reports are kept while the service is
// unreachable (default DefaultQueue); beyond it the oldest is dropped.
func WithQueue(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return optionError("WithQueue", "below 1")
		}
		c.queue = n
		return nil
	}
}

// WithBackoff sets the retry delay after a failed POST: min, doubled at
// each failure up to max, with jitter (defaults 1 s and 5 min). A 429's
// Retry-After is honoured when it asks for longer.
func WithBackoff(min, max time.Duration) Option {
	return func(c *config) error {
		if min <= 0 || max < min {
			return optionError("WithBackoff", "need 0 < min <= max")
		}
		c.minBackoff, c.maxBackoff = min, max
		return nil
	}
}

// WithHTTPClient sets the client reports are POSTed with (default: a
// client with a DefaultTimeout timeout).
func WithHTTPClient(h *http.Client) Option {
	return func(c *config) error {
		if h == nil {
			return optionError("WithHTTPClient", "nil client")
		}
		c.client = h
		return nil
	}
}

// WithClock sets where the reporter reads the time that stamps reports and
// schedules them (default time.Now). Waiting uses package time's timers,
// which testing/synctest fakes.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return optionError("WithClock", "nil clock")
		}
		c.now = now
		return nil
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return optionError("WithLogger", "nil logger")
		}
		c.log = l
		return nil
	}
}

// WithNode sets how reports name the node: a free name, the software
// version, a device label, and the peer id, which is hashed (HashPeerID)
// before it goes anywhere. All are optional; leave the peer id empty to
// send none.
func WithNode(name, version, device, peerID string) Option {
	return func(c *config) error {
		for _, f := range []string{name, version, device} {
			if len(f) > MaxLabel {
				return optionError("WithNode", fmt.Sprintf("%q longer than %d bytes", f, MaxLabel))
			}
		}
		c.record = Record{NodeName: name, StatusVersion: version, DeviceType: device, PeerID: HashPeerID(peerID)}
		return nil
	}
}
