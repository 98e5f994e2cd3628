package main

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/wakupm/wakupm/examples/qanode/restbody"
)

// uiFiles is the node page: plain HTML, CSS and JavaScript, no build step
// and nothing fetched from elsewhere. It reads the REST API like any other
// client (GET /health, /info, /slots, /bandwidth).
//
//go:embed ui
var uiFiles embed.FS

// pageHeaders keep the page from loading anything but itself and from
// being framed by another site (clickjacking the admin endpoints).
var pageHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
	"X-Frame-Options":         "DENY",
	"X-Content-Type-Options":  "nosniff",
	"Referrer-Policy":         "no-referrer",
	"Cache-Control":           "no-cache",
}

// withPage serves the node page at / and its files under /ui/, and
// everything else from api. The page's files hold no secret, so they need
// no token (the API calls the page makes do, and the page asks for it);
// the Host and Origin checks still apply.
func (n *Node) withPage(api http.Handler) http.Handler {
	sub, err := fs.Sub(uiFiles, "ui")
	if err != nil { // the embedded tree always has ui/
		panic(err)
	}
	files := http.FileServerFS(sub)
	static := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range pageHeaders {
			w.Header().Set(k, v)
		}
		switch {
		case r.URL.Path == "/":
			http.ServeFileFS(w, r, sub, "index.html")
			return
		case strings.HasSuffix(r.URL.Path, "/"): // no directory listings
			http.NotFound(w, r)
			return
		}
		http.StripPrefix("/ui", files).ServeHTTP(w, r)
	})
	page := restGuard{hosts: n.cfg.restHosts}.wrap(static)
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", page)
	mux.Handle("GET /ui/", page)
	mux.Handle("/", api)
	return mux
}

// noQuery refuses a query string on an endpoint that takes none, so that
// a typo (/health?shard=32) is not silently answered with something else.
func noQuery(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			writeError(w, restbody.BadRequest("%s takes no query parameters (got %q)", r.URL.Path, r.URL.RawQuery))
			return
		}
		h(w, r)
	}
}
