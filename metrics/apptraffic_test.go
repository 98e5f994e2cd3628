package metrics

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAppTrafficRoundTripperCountsBodiesAndHeaders(t *testing.T) {
	reply := strings.Repeat("r", 5000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		if n != 1000 {
			t.Errorf("server read %d bytes", n)
		}
		io.WriteString(w, reply)
	}))
	defer srv.Close()
	acct := NewAppTraffic()
	client := &http.Client{Transport: acct.RoundTripper("rpc", nil)}
	resp, err := client.Post(srv.URL+"/x", "text/plain", strings.NewReader(strings.Repeat("q", 1000)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	snap := acct.Snapshot()
	if len(snap) != 1 || snap[0].Name != "rpc" {
		t.Fatalf("snapshot %+v", snap)
	}
	// Bodies exactly, plus start line and headers: a few dozen bytes each.
	if got := snap[0].BytesOut; got < 1000+30 || got > 1000+300 {
		t.Errorf("out %d, want 1000 body bytes and some headers", got)
	}
	if got := snap[0].BytesIn; got < 5000+30 || got > 5000+300 {
		t.Errorf("in %d, want 5000 body bytes and some headers", got)
	}
}

func TestAppTrafficBoundsNames(t *testing.T) {
	acct := NewAppTraffic()
	for i := range MaxAppTrafficNames + 10 {
		acct.Counter(fmt.Sprint("n", i)).AddOut(1)
	}
	acct.Counter("").AddIn(5)
	snap := acct.Snapshot()
	if len(snap) != MaxAppTrafficNames+1 {
		t.Fatalf("%d names, want %d and %q", len(snap), MaxAppTrafficNames, AppTrafficOther)
	}
	for _, s := range snap {
		if s.Name == AppTrafficOther && (s.BytesOut != 10 || s.BytesIn != 5) {
			t.Errorf("other: %+v", s)
		}
	}
}

func BenchmarkAppCounterAdd(b *testing.B) {
	c := NewAppTraffic().Counter("rpc")
	b.ReportAllocs()
	for b.Loop() {
		c.AddOut(100)
	}
}
