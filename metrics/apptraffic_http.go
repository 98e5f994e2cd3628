package metrics

import (
	"io"
	"net/http"
)

// RoundTripper returns an http.RoundTripper that sends through base
// (http.DefaultTransport when nil) and counts each exchange under name.
// What it counts is the HTTP/1.1 message as the application sees it: the
// request line, header fields and body out; the status line, header fields
// and body in, bodies as they are actually read. TLS records, HTTP/2
// framing, header compression and TCP/IP headers are not seen, so the
// figure is an estimate of the payload, not of the bytes on the wire.
func (a *AppTraffic) RoundTripper(name string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &countingTransport{base: base, c: a.Counter(name)}
}

type countingTransport struct {
	base http.RoundTripper
	c    *AppCounter
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := len(req.Method) + len(req.URL.RequestURI()) + len(" HTTP/1.1\r\n") + headerSize(req.Header) + 2
	if req.Host != "" {
		out += len("Host: \r\n") + len(req.Host)
	}
	if req.Body != nil && req.Body != http.NoBody {
		// Shallow copy: a RoundTripper must not modify the caller's request.
		r2 := *req
		r2.Body = &countingBody{rc: req.Body, add: t.c.AddOut}
		req = &r2
	}
	t.c.AddOut(out)
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	t.c.AddIn(len("HTTP/1.1 \r\n") + len(resp.Status) + headerSize(resp.Header) + 2)
	if resp.Body != nil {
		resp.Body = &countingBody{rc: resp.Body, add: t.c.AddIn}
	}
	return resp, nil
}

// headerSize is the size of h written as HTTP/1.1 header fields.
func headerSize(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(": \r\n") + len(v)
		}
	}
	return n
}

type countingBody struct {
	rc  io.ReadCloser
	add func(int)
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.add(n)
	return n, err
}

func (b *countingBody) Close() error { return b.rc.Close() }
