package metrics

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
)

// MaxAppTrafficNames bounds the names an AppTraffic accepts, so that a
// caller building names from input cannot grow it without bound; further
// names share the AppTrafficOther counter.
const MaxAppTrafficNames = 64

// AppTrafficOther is the name of the counter shared by names beyond
// MaxAppTrafficNames.
const AppTrafficOther = "other"

// AppTraffic counts an application's own network traffic outside Waku (an
// HTTP RPC client, a torrent engine, ...) by a name the application
// chooses, so that a node's report can say how much of its bandwidth is not
// Waku's. Look a counter up once with Counter and keep it: adding to it is
// two atomic adds and allocates nothing. RoundTripper wraps an
// http.RoundTripper for the common case.
type AppTraffic struct {
	mu    sync.Mutex
	names map[string]*AppCounter
}

// NewAppTraffic returns an empty account.
func NewAppTraffic() *AppTraffic {
	return &AppTraffic{names: make(map[string]*AppCounter)}
}

// AppCounter is the traffic of one name.
type AppCounter struct {
	in, out atomic.Uint64
}

// AddIn counts n bytes received.
func (c *AppCounter) AddIn(n int) {
	if n > 0 {
		c.in.Add(uint64(n))
	}
}

// AddOut counts n bytes sent.
func (c *AppCounter) AddOut(n int) {
	if n > 0 {
		c.out.Add(uint64(n))
	}
}

// Counter returns the counter of name, creating it on first use. An empty
// name, and names beyond MaxAppTrafficNames, count as AppTrafficOther.
func (a *AppTraffic) Counter(name string) *AppCounter {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.names[name]; ok {
		return c
	}
	if name == "" || len(a.names) >= MaxAppTrafficNames {
		name = AppTrafficOther
		if c, ok := a.names[name]; ok {
			return c
		}
	}
	c := new(AppCounter)
	a.names[name] = c
	return c
}

// AppBytes is the traffic of one name so far.
type AppBytes struct {
	Name              string
	BytesIn, BytesOut uint64
}

// Snapshot returns every name's counts, sorted by name.
func (a *AppTraffic) Snapshot() []AppBytes {
	a.mu.Lock()
	out := make([]AppBytes, 0, len(a.names))
	for name, c := range a.names {
		out = append(out, AppBytes{Name: name, BytesIn: c.in.Load(), BytesOut: c.out.Load()})
	}
	a.mu.Unlock()
	slices.SortFunc(out, func(x, y AppBytes) int { return cmp.Compare(x.Name, y.Name) })
	return out
}
