package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/wakupm/wakupm/examples/telemetryd/wire"
	"github.com/wakupm/wakupm/metrics/telemetry"
)

// Config configures a Server. Zero fields take the defaults.
type Config struct {
	// RatePerClient and Burst limit POSTs per client IP (default 1 per
	// second, burst 10); beyond, the answer is 429 with Retry-After.
	RatePerClient float64
	Burst         int
	// MaxBody is the largest request body (default 8 MiB).
	MaxBody int64
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log (default: discard).
	Log *slog.Logger
}

// Server is the HTTP side: POST /record-metrics stores reports; GET
// /api/top ranks consumers as JSON; GET / shows them as an HTML page.
type Server struct {
	store *Store
	cfg   Config
	lim   *limiter
	mux   *http.ServeMux
}

// NewServer returns a server over store.
func NewServer(store *Store, cfg Config) *Server {
	if cfg.RatePerClient <= 0 {
		cfg.RatePerClient = 1
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 10
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 8 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{store: store, cfg: cfg, lim: newLimiter(cfg.RatePerClient, cfg.Burst, 10000), mux: http.NewServeMux()}
	s.mux.HandleFunc("POST "+telemetry.RecordMetricsPath, s.record)
	s.mux.HandleFunc("GET /api/top", s.top)
	s.mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "OK") })
	s.mux.HandleFunc("GET /{$}", s.page)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// record answers like Status's server: 201 and a JSON array of per-item
// errors (empty here: a request with any bad item is refused whole with
// 400 and the list).
func (s *Server) record(w http.ResponseWriter, r *http.Request) {
	now := s.cfg.Now()
	if ok, wait := s.lim.allow(clientOf(r), now); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeJSON(w, http.StatusTooManyRequests, []wire.ItemError{{ID: -1, Error: "rate limited"}})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, []wire.ItemError{{ID: -1, Error: fmt.Sprintf("body over %d bytes", s.cfg.MaxBody)}})
			return
		}
		writeJSON(w, http.StatusBadRequest, []wire.ItemError{{ID: -1, Error: "reading body: " + err.Error()}})
		return
	}
	d, errs := wire.Decode(body, now)
	if errs != nil {
		writeJSON(w, http.StatusBadRequest, errs)
		return
	}
	if err := s.store.Insert(r.Context(), d, now); err != nil {
		s.cfg.Log.Error("telemetryd: storing a report", "err", err)
		writeJSON(w, http.StatusInternalServerError, []wire.ItemError{{ID: -1, Error: "storage failed"}})
		return
	}
	writeJSON(w, http.StatusCreated, []wire.ItemError{})
}

// window reads ?by=&from=&to=&limit= (from and to in Unix seconds or
// RFC 3339; default: from an hour ago to as far ahead as a report may be
// stamped, which includes a simulation's reports stamped ahead of now).
func (s *Server) window(r *http.Request) (Dimension, time.Time, time.Time, int, error) {
	q := r.URL.Query()
	now := s.cfg.Now()
	from, to := now.Add(-time.Hour), now.Add(wire.MaxClockAhead+time.Second)
	var err error
	parse := func(name string, dst *time.Time) {
		v := q.Get(name)
		if v == "" || err != nil {
			return
		}
		if n, e := strconv.ParseInt(v, 10, 64); e == nil {
			*dst = time.Unix(n, 0)
			return
		}
		t, e := time.Parse(time.RFC3339, v)
		if e != nil {
			err = fmt.Errorf("%s: %q is neither Unix seconds nor RFC 3339", name, v)
		}
		*dst = t
	}
	parse("from", &from)
	parse("to", &to)
	limit := 10
	if v := q.Get("limit"); v != "" && err == nil {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			err = fmt.Errorf("limit: %q is not in [1, 1000]", v)
		}
	}
	dim := Dimension(q.Get("by"))
	if dim == "" {
		dim = ByMessageType
	}
	if _, ok := topQueries[dim]; !ok && err == nil {
		err = fmt.Errorf("by: %q is not one of %v", dim, Dimensions())
	}
	return dim, from, to, limit, err
}

func (s *Server) top(w http.ResponseWriter, r *http.Request) {
	dim, from, to, limit, err := s.window(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	top, err := s.store.Top(r.Context(), dim, from, to, limit)
	if err != nil {
		s.cfg.Log.Error("telemetryd: query", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "query failed"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"by": dim, "from": from.Unix(), "to": to.Unix(), "top": top})
}

// Import stores every report of r, one JSON request (an array of items) per
// line, as if each had been POSTed, and returns how many it stored.
func (s *Server) Import(ctx context.Context, r io.Reader) (int, error) {
	dec := json.NewDecoder(r)
	n := 0
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, fmt.Errorf("telemetryd: import: report %d: %w", n+1, err)
		}
		d, errs := wire.Decode(raw, s.cfg.Now())
		if errs != nil {
			return n, fmt.Errorf("telemetryd: import: report %d: %s (id %d)", n+1, errs[0].Error, errs[0].ID)
		}
		if err := s.store.Insert(ctx, d, s.cfg.Now()); err != nil {
			return n, err
		}
		n++
	}
}
