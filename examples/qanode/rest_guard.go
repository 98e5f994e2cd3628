package main

import (
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wakupm/wakupm/examples/qanode/restbody"
)

// The REST API takes private keys (protected shards, keygen), so a request
// a browser was tricked into sending must not reach it: a page on another
// site can POST text/plain to http://127.0.0.1:8645 (cross-site request),
// and a hostname an attacker controls can be made to resolve to 127.0.0.1
// after the page loaded (DNS rebinding), which makes the browser send the
// attacker's Host. The guard refuses both before any handler runs.
//
//   - Host: a loopback name or address (localhost, 127.0.0.0/8, ::1), or one
//     of -rest-allowed-host. Rebinding needs a foreign Host.
//   - Origin: absent (curl, QA scripts) or naming an allowed host. Browsers
//     send Origin on every cross-origin request and on POST/DELETE.
//   - Content-Type: application/json on any request with a body, so that a
//     plain HTML form (text/plain, urlencoded, multipart) is refused even by a
//     browser that sent no Origin.
//   - Authorization: "Bearer <token>" when a token is configured
//     (-rest-token-file or QANODE_REST_TOKEN), on every endpoint.
type restGuard struct {
	hosts []string // extra allowed Host names (lower case, no port)
	token string   // empty: no token required
}

// Server timeouts: a client that stalls its headers or body, or leaves a
// keep-alive connection idle, is cut off instead of holding a connection
// (and a goroutine) for ever.
const (
	restReadHeaderTimeout = 5 * time.Second
	restReadTimeout       = 10 * time.Second
	restWriteTimeout      = 30 * time.Second
	restIdleTimeout       = 60 * time.Second
	restMaxHeaderBytes    = 16 << 10
)

// newRESTServer returns the HTTP server for h with the timeouts above;
// readTimeout 0 means restReadTimeout (tests pass a shorter one).
func newRESTServer(h http.Handler, readTimeout time.Duration) *http.Server {
	if readTimeout <= 0 {
		readTimeout = restReadTimeout
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(restReadHeaderTimeout, readTimeout),
		ReadTimeout:       readTimeout,
		WriteTimeout:      restWriteTimeout,
		IdleTimeout:       restIdleTimeout,
		MaxHeaderBytes:    restMaxHeaderBytes,
	}
}

func (g restGuard) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := g.check(r); err != nil {
			writeError(w, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (g restGuard) check(r *http.Request) error {
	if !g.allowedHost(r.Host) {
		return &restbody.Error{Status: http.StatusMisdirectedRequest,
			Msg: "Host " + quoteOrEmpty(r.Host) + " is not a loopback address or a -rest-allowed-host"}
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || !g.allowedHost(u.Host) {
			return &restbody.Error{Status: http.StatusForbidden,
				Msg: "cross-origin request from " + quoteOrEmpty(o) + " refused"}
		}
	}
	if g.token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(g.token)) != 1 {
			return &restbody.Error{Status: http.StatusUnauthorized, Msg: "want Authorization: Bearer <token> (see -rest-token-file)"}
		}
	}
	if r.ContentLength != 0 && r.Method != http.MethodGet && r.Method != http.MethodHead {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			return &restbody.Error{Status: http.StatusUnsupportedMediaType,
				Msg: "Content-Type " + quoteOrEmpty(r.Header.Get("Content-Type")) + ": want application/json"}
		}
	}
	return nil
}

// allowedHost reports whether hostport (a Host header or an origin's host)
// names this node: a loopback name or address, or an allowed host.
func (g restGuard) allowedHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "" {
		return false
	}
	if isLoopbackName(host) {
		return true
	}
	return slices.Contains(g.hosts, host) || slices.Contains(g.hosts, "*")
}

// isLoopbackName reports whether host is "localhost" (or a name under
// .localhost, RFC 6761 §6.3) or a loopback IP literal.
func isLoopbackName(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

func quoteOrEmpty(s string) string {
	if s == "" {
		return "(none)"
	}
	return `"` + s + `"`
}
